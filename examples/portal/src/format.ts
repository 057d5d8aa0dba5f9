// Words and dates as a Vietnamese portal shows them.
import type { Schemas } from "@bantin/client";

/** `31/08/2021` in the site's time zone (a date-only value is shown as it is). */
export function date(value: string | null, timeZone: string): string {
  if (value === null) return "";
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const [y, m, d] = value.split("-");
    return `${d}/${m}/${y}`;
  }
  return new Intl.DateTimeFormat("vi-VN", {
    timeZone,
    day: "2-digit",
    month: "2-digit",
    year: "numeric",
  }).format(new Date(value));
}

/** `31/08/2021 09:52` in the site's time zone. */
export function dateTime(value: string | null, timeZone: string): string {
  if (value === null) return "";
  const time = new Intl.DateTimeFormat("vi-VN", {
    timeZone,
    hour: "2-digit",
    minute: "2-digit",
    hour12: false,
  }).format(new Date(value));
  return `${date(value, timeZone)} ${time}`;
}

export function number(n: number): string {
  return new Intl.NumberFormat("vi-VN").format(n);
}

export const STATUS: Record<Schemas["AgreementStatus"], string> = {
  upcoming: "Chưa có hiệu lực",
  in_effect: "Còn hiệu lực",
  expired: "Hết hiệu lực",
  superseded: "Đã được thay thế",
};

export const PARTY_ROLE: Record<Schemas["PartyRole"], string> = {
  lead: "Chủ trì",
  partner: "Phối hợp",
};

export const RELATION: Record<Schemas["RelationKind"], string> = {
  replaces: "Thay thế",
  amends: "Sửa đổi, bổ sung",
  repeals: "Bãi bỏ",
  corrects: "Đính chính",
  based_on: "Căn cứ",
  implements: "Triển khai",
  references: "Tham chiếu",
};

/** `giai đoạn 2021 - 2026`, `năm 2024`, or nothing. */
export function term(start: number | null, end: number | null): string {
  if (start !== null && end !== null && start !== end) return `giai đoạn ${start} - ${end}`;
  if (start !== null) return `năm ${start}`;
  return "";
}

export function bytes(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : `${Math.max(1, Math.round(n / 1024))} KB`;
}
