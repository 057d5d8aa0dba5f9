//! The login throttle: 5 failures for one account, or 20 from one client address, within
//! 15 minutes lock further logins (429) until enough failures leave the window. Counters live
//! in PostgreSQL so every replica sees them; refused attempts are neither checked nor counted.
//!
//! An attempt is counted *before* its password is checked ([`reserve`]), under a lock per
//! account and per address, so logins arriving together cannot all pass the check before any
//! is recorded: at most [`MAX_PER_ACCOUNT`] passwords per account are ever verified in a
//! window. A login that succeeds then clears the account's failures, its own included.

use std::net::IpAddr;

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use ipnet::IpNet;

use crate::db::locks::{self, Keyed};
use crate::db::schema::login_failures;
use crate::error::{ApiError, ApiResult};

pub const WINDOW_SECS: i64 = 15 * 60;
pub const MAX_PER_ACCOUNT: i64 = 5;
pub const MAX_PER_ADDRESS: i64 = 20;

/// The 429 of a throttled login.
pub fn throttled(retry_after_secs: u64) -> ApiError {
    ApiError::TooManyRequests {
        retry_after_secs,
        detail: format!("too many failed logins; try again in {retry_after_secs} seconds"),
    }
}

/// Counts one login attempt as failed before it is checked, or refuses it (429) when the
/// account (`email_key`; `None` for input that names no possible account) or the address
/// is locked.
pub async fn reserve(
    conn: &mut AsyncPgConnection,
    email_key: Option<&str>,
    ip: IpAddr,
) -> ApiResult<()> {
    let email_key = email_key.map(str::to_string);
    conn.transaction::<_, ApiError, _>(async move |conn| {
        // Always account first, then address (see `db::locks`).
        if let Some(key) = &email_key {
            locks::xact_lock_on(conn, Keyed::LoginAccount, key).await?;
        }
        locks::xact_lock_on(conn, Keyed::LoginAddress, &ip.to_string()).await?;
        if let Some(secs) = retry_after(conn, email_key.as_deref(), ip).await? {
            return Err(throttled(secs));
        }
        diesel::insert_into(login_failures::table)
            .values((
                login_failures::email_key.eq(email_key.as_deref()),
                login_failures::client_ip.eq(IpNet::from(ip)),
            ))
            .execute(conn)
            .await?;
        // Keep the table small: what left the window long ago no longer matters.
        diesel::delete(
            login_failures::table
                .filter(login_failures::failed_at.lt(Utc::now() - Duration::days(1))),
        )
        .execute(conn)
        .await?;
        Ok(())
    })
    .await
}

/// Seconds until a login may be tried again, or `None` when it may be tried now.
async fn retry_after(
    conn: &mut AsyncPgConnection,
    email_key: Option<&str>,
    ip: IpAddr,
) -> ApiResult<Option<u64>> {
    let now = Utc::now();
    let since = now - Duration::seconds(WINDOW_SECS);
    // The failure whose ageing out brings the count back under the limit.
    let by_account: Option<DateTime<Utc>> = match email_key {
        Some(key) => login_failures::table
            .filter(login_failures::email_key.eq(key))
            .filter(login_failures::failed_at.gt(since))
            .order(login_failures::failed_at.desc())
            .offset(MAX_PER_ACCOUNT - 1)
            .select(login_failures::failed_at)
            .first(conn)
            .await
            .optional()?,
        None => None,
    };
    let by_address: Option<DateTime<Utc>> = login_failures::table
        .filter(login_failures::client_ip.eq(IpNet::from(ip)))
        .filter(login_failures::failed_at.gt(since))
        .order(login_failures::failed_at.desc())
        .offset(MAX_PER_ADDRESS - 1)
        .select(login_failures::failed_at)
        .first(conn)
        .await
        .optional()?;
    let until = by_account
        .into_iter()
        .chain(by_address)
        .max()
        .map(|t| t + Duration::seconds(WINDOW_SECS));
    Ok(until.map(|t| (t - now).num_seconds().max(1) as u64))
}

/// A successful login clears the account's failures (not the address's).
pub async fn clear_account(conn: &mut AsyncPgConnection, email_key: &str) -> ApiResult<()> {
    diesel::delete(login_failures::table.filter(login_failures::email_key.eq(email_key)))
        .execute(conn)
        .await?;
    Ok(())
}
