//! The login throttle: 5 failures for one account, or 20 from one client address, within
//! 15 minutes lock further logins (429) until enough failures leave the window. Counters live
//! in PostgreSQL so every replica sees them; refused attempts are neither checked nor counted.

use std::net::IpAddr;

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use ipnet::IpNet;

use crate::db::schema::login_failures;
use crate::error::ApiResult;

pub const WINDOW_SECS: i64 = 15 * 60;
pub const MAX_PER_ACCOUNT: i64 = 5;
pub const MAX_PER_ADDRESS: i64 = 20;

/// Seconds until a login may be tried again, or `None` when it may be tried now.
pub async fn retry_after(
    conn: &mut AsyncPgConnection,
    email_key: &str,
    ip: IpAddr,
) -> ApiResult<Option<u64>> {
    let now = Utc::now();
    let since = now - Duration::seconds(WINDOW_SECS);
    // The failure whose ageing out brings the count back under the limit.
    let by_account: Option<DateTime<Utc>> = login_failures::table
        .filter(login_failures::email_key.eq(email_key))
        .filter(login_failures::failed_at.gt(since))
        .order(login_failures::failed_at.desc())
        .offset(MAX_PER_ACCOUNT - 1)
        .select(login_failures::failed_at)
        .first(conn)
        .await
        .optional()?;
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

/// Counts a failed login for the account and the address.
pub async fn record_failure(
    conn: &mut AsyncPgConnection,
    email_key: &str,
    ip: IpAddr,
) -> ApiResult<()> {
    diesel::insert_into(login_failures::table)
        .values((
            login_failures::email_key.eq(email_key),
            login_failures::client_ip.eq(IpNet::from(ip)),
        ))
        .execute(conn)
        .await?;
    // Keep the table small: what left the window long ago no longer matters.
    diesel::delete(
        login_failures::table.filter(login_failures::failed_at.lt(Utc::now() - Duration::days(1))),
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// A successful login clears the account's failures (not the address's).
pub async fn clear_account(conn: &mut AsyncPgConnection, email_key: &str) -> ApiResult<()> {
    diesel::delete(login_failures::table.filter(login_failures::email_key.eq(email_key)))
        .execute(conn)
        .await?;
    Ok(())
}
