//! Webhooks: `POST/GET /webhooks`, `GET/PATCH/DELETE /webhooks/{id}`,
//! `POST /webhooks/{id}/secret`, `GET /webhooks/{id}/deliveries`,
//! `POST /webhooks/{id}/deliveries/{delivery_id}/retry`, `POST /webhooks/{id}/ping` (admins).
//! Every committed event makes a delivery for each enabled endpoint that listens to its type
//! (a trigger, in the event's transaction); [`worker`] sends them, signed as the Standard
//! Webhooks specification says ([`signing`]), to addresses [`targets`] allows.

pub mod handlers;
pub mod model;
pub mod signing;
pub mod targets;
pub mod views;
pub mod worker;

use handlers::{
    create_webhook, delete_webhook, get_webhook, list_deliveries, list_webhooks, ping_webhook,
    retry_delivery, rotate_secret, update_webhook,
};

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_webhooks)
        .service(create_webhook)
        .service(get_webhook)
        .service(update_webhook)
        .service(delete_webhook)
        .service(rotate_secret)
        .service(list_deliveries)
        .service(retry_delivery)
        .service(ping_webhook);
}
