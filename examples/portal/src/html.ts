// HTML with every interpolated value escaped, unless it is marked as already safe: the
// article and agreement bodies, which Bantin sanitises on write (its spec says so), and
// fragments built by `html` itself.

const SAFE = Symbol("safe html");

/** A fragment of HTML that is safe to insert as is. */
export interface Safe {
  readonly [SAFE]: string;
}

const ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

export function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

/** Marks HTML as safe. Only for HTML Bantin sanitised, or built here. */
export function trusted(markup: string): Safe {
  return { [SAFE]: markup };
}

type Value = string | number | Safe | null | undefined | false | readonly Value[];

function render(value: Value): string {
  if (value === null || value === undefined || value === false) return "";
  if (Array.isArray(value)) return value.map(render).join("");
  if (typeof value === "object" && SAFE in value) return value[SAFE];
  return escape(String(value));
}

/** The template tag: html`<p>${text}</p>` escapes `text`. */
export function html(strings: TemplateStringsArray, ...values: Value[]): Safe {
  let out = strings[0] ?? "";
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? "");
  });
  return trusted(out);
}

export function toString(fragment: Safe): string {
  return fragment[SAFE];
}
