//! First-run and operator tasks: open the database (configured or local), create the first
//! admin, and `create-admin` from the command line.

use base64::Engine;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use rand::RngCore;

use crate::auth::model::lower;
use crate::auth::password;
use crate::config::Config;
use crate::db::local_pg::LocalPostgres;
use crate::db::locks::{self, Global};
use crate::db::schema::users;
use crate::text;

/// The database the service uses: the configured server, or the private local cluster.
pub enum Database {
    External(String),
    Local(LocalPostgres),
}

impl Database {
    /// Uses `DATABASE_URL`, or initialises and starts the local cluster in the data dir.
    pub async fn open(config: &Config) -> Result<Database, String> {
        if let Some(url) = &config.database_url {
            return Ok(Database::External(url.expose().to_string()));
        }
        std::fs::create_dir_all(&config.data_dir).map_err(|e| {
            format!(
                "cannot create BANTIN_DATA_DIR {}: {e}",
                config.data_dir.display()
            )
        })?;
        let cluster = config.data_dir.join("postgres");
        LocalPostgres::start(&cluster, "bantin")
            .await
            .map(Database::Local)
            .map_err(|e| e.to_string())
    }

    pub fn url(&self) -> String {
        match self {
            Database::External(url) => url.clone(),
            Database::Local(pg) => pg.url("bantin"),
        }
    }

    /// Stops the local cluster, if it is ours.
    pub async fn close(self) {
        if let Database::Local(pg) = self
            && let Err(e) = pg.stop().await
        {
            tracing::error!(error = %e, "could not stop the local PostgreSQL cluster");
        }
    }
}

/// A random password for the generated first admin.
fn random_password() -> String {
    let mut bytes = [0u8; 18];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// What the first-run step did.
pub enum FirstAdmin {
    /// Users already exist.
    NotNeeded,
    /// The configured admin was created.
    Configured { email: String },
    /// An admin was created with a random password, to be shown once.
    Generated { email: String, password: String },
}

/// Creates the first admin when there is no user at all (under an advisory lock, so several
/// replicas starting together create one).
pub async fn first_admin(url: &str, config: &Config) -> Result<FirstAdmin, String> {
    let mut conn = AsyncPgConnection::establish(url)
        .await
        .map_err(|e| format!("cannot connect: {e}"))?;
    let email = config
        .admin_email
        .clone()
        .unwrap_or_else(|| "admin@localhost".into());
    let email = text::parse_email(&email)
        .map_err(|_| "BANTIN_ADMIN_EMAIL is not an email address".to_string())?;
    let (password, generated) = match &config.admin_password {
        Some(p) => (p.expose().to_string(), false),
        None => (random_password(), true),
    };
    let hash = password::hash_blocking(&password)?;
    let created = conn
        .transaction::<bool, crate::error::ModelError, _>(async |conn| {
            locks::xact_lock(conn, Global::FirstAdmin).await?;
            let existing: i64 = users::table.count().get_result(conn).await?;
            if existing > 0 {
                return Ok(false);
            }
            diesel::insert_into(users::table)
                .values((
                    users::id.eq(uuid::Uuid::now_v7()),
                    users::email.eq(email.clone()),
                    users::display_name.eq("Administrator"),
                    users::role.eq("admin"),
                    users::password_hash.eq(hash.clone()),
                ))
                .execute(conn)
                .await?;
            Ok(true)
        })
        .await
        .map_err(|e| format!("cannot create the first admin: {e}"))?;
    Ok(match (created, generated) {
        (false, _) => FirstAdmin::NotNeeded,
        (true, false) => FirstAdmin::Configured { email },
        (true, true) => FirstAdmin::Generated { email, password },
    })
}

/// Creates an admin, or makes an existing account (same email, any case) an enabled admin with
/// this password. Returns whether the account is new.
pub async fn create_admin(
    url: &str,
    email: &str,
    password_text: &str,
    display_name: &str,
) -> Result<bool, String> {
    let email =
        text::parse_email(email).map_err(|_| format!("`{email}` is not an email address"))?;
    crate::domain::NewPassword::parse(password_text)
        .map_err(|refusal| format!("password: {}", refusal.message))?;
    let hash = password::hash_blocking(password_text)?;
    let mut conn = AsyncPgConnection::establish(url)
        .await
        .map_err(|e| format!("cannot connect: {e}"))?;
    let updated =
        diesel::update(users::table.filter(lower(users::email).eq(text::email_key(&email))))
            .set((
                users::role.eq("admin"),
                users::disabled.eq(false),
                users::password_hash.eq(&hash),
                users::version.eq(users::version + 1),
                users::updated_at.eq(chrono::Utc::now()),
            ))
            .execute(&mut conn)
            .await
            .map_err(|e| e.to_string())?;
    if updated > 0 {
        return Ok(false);
    }
    diesel::insert_into(users::table)
        .values((
            users::id.eq(uuid::Uuid::now_v7()),
            users::email.eq(&email),
            users::display_name.eq(display_name),
            users::role.eq("admin"),
            users::password_hash.eq(hash),
        ))
        .execute(&mut conn)
        .await
        .map_err(|e| e.to_string())?;
    Ok(true)
}
