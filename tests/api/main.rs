//! Black-box HTTP tests: each test starts the real app against its own database.

mod helpers;

mod api_tokens;
mod auth;
mod basics;
mod jwt;
mod migrations;
mod throttle;
mod users;
