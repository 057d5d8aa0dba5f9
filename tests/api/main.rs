//! Black-box HTTP tests: each test starts the real app against its own database.

#[path = "../fixtures/database.rs"]
mod database;
mod helpers;
#[path = "../fixtures/receiver.rs"]
mod receiver;

mod agreements;
mod api_tokens;
mod articles;
mod audit;
mod auth;
mod basics;
mod categories;
mod desk;
mod events;
mod feeds;
mod headers;
mod jwt;
mod migrations;
mod people;
mod photos;
mod revisions;
mod s3;
mod search;
mod site;
mod throttle;
mod users;
mod webhooks;
