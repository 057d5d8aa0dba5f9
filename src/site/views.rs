//! Request and response bodies of `/site`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::model::SiteRow;

/// The portal's identity and footer, as Nghị định 42/2022/NĐ-CP asks portals to show.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "name": "Trang thông tin điện tử Đoàn ĐBQH và HĐND tỉnh Lai Châu",
    "publisher": "Văn phòng Đoàn ĐBQH và HĐND tỉnh Lai Châu",
    "responsible_person": "Ông Dương Quốc Hoàn - Chánh Văn phòng Đoàn ĐBQH và HĐND tỉnh Lai Châu",
    "address": "Tầng 4,5 nhà B - khu Hành chính - Chính trị tỉnh",
    "phone": "0213.3798.221", "fax": "0213.3798.228", "email": "ttdn.hdndtinh@laichau.gov.vn",
    "attribution_notice": "Ghi rõ nguồn www.hdnd.laichau.gov.vn khi sử dụng thông tin trên website này",
    "time_zone": "Asia/Ho_Chi_Minh", "visit_count": 27194, "version": 2,
    "created_at": "2026-11-27T08:00:00Z", "updated_at": "2026-11-27T08:00:00Z"
}))]
pub struct SiteView {
    pub name: String,
    /// The managing body (cơ quan chủ quản).
    pub publisher: String,
    /// The person responsible for the content (người chịu trách nhiệm).
    pub responsible_person: String,
    pub address: String,
    pub phone: String,
    pub fax: String,
    pub email: String,
    /// How others must cite the portal when reusing its content.
    pub attribution_notice: String,
    /// IANA time zone of the portal; `YYYY-MM-DD` filters mean whole days in it.
    pub time_zone: String,
    /// Visits counted by `POST /site/visits`.
    pub visit_count: i64,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<SiteRow> for SiteView {
    fn from(row: SiteRow) -> Self {
        SiteView {
            name: row.name,
            publisher: row.publisher,
            responsible_person: row.responsible_person,
            address: row.address,
            phone: row.phone,
            fax: row.fax,
            email: row.email,
            attribution_notice: row.attribution_notice,
            time_zone: row.time_zone,
            visit_count: row.visit_count,
            version: row.version,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

/// All settings at once (`PUT`): `name`, `publisher` and `responsible_person` are required
/// and non-empty; the others default to empty (`time_zone` to `Asia/Ho_Chi_Minh`).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "name": "Trang thông tin điện tử Đoàn ĐBQH và HĐND tỉnh Lai Châu",
    "publisher": "Văn phòng Đoàn ĐBQH và HĐND tỉnh Lai Châu",
    "responsible_person": "Ông Dương Quốc Hoàn - Chánh Văn phòng Đoàn ĐBQH và HĐND tỉnh Lai Châu",
    "address": "Tầng 4,5 nhà B - khu Hành chính - Chính trị tỉnh",
    "phone": "0213.3798.221", "fax": "0213.3798.228", "email": "ttdn.hdndtinh@laichau.gov.vn",
    "attribution_notice": "Ghi rõ nguồn www.hdnd.laichau.gov.vn khi sử dụng thông tin trên website này"
}))]
pub struct PutSite {
    /// 1–300 characters.
    pub name: String,
    /// 1–300 characters.
    pub publisher: String,
    /// 1–300 characters.
    pub responsible_person: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub fax: String,
    /// An email address, or empty.
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub attribution_notice: String,
    /// An IANA time zone name known to PostgreSQL.
    pub time_zone: Option<String>,
}

/// A counter after an increment.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"visit_count": 27195}))]
pub struct VisitCount {
    pub visit_count: i64,
}

impl crate::events::Subject for SiteView {
    const RESOURCE: crate::events::Resource = crate::events::Resource::Site;
    fn subject_id(&self) -> Option<uuid::Uuid> {
        None
    }
    fn subject_version(&self) -> i32 {
        self.version
    }
}
