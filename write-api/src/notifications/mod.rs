//! The notifications write endpoints: promotional campaigns by e-mail and SMS
//! (Admin/Manager), and the unsubscribe link every campaign message carries.
//!
//! Messages themselves are rendered, queued, sent and retried by the notification
//! dispatcher (`emporium_commands::notifications`); these endpoints only record a
//! campaign request or a customer's opt-out. Layout: [`campaigns`] (the two POSTs),
//! [`unsubscribe`] (GET/POST of the link), [`input`] (bodies and their checks),
//! [`answers`] (response shapes), refusals.rs (campaign errors as HTTP), and
//! [`unsubscribe_key`], the key links are signed with.

pub mod answers;
pub mod campaigns;
pub mod input;
mod refusals;
pub mod unsubscribe;

use axum::Router;
use axum::routing::{get, post};
use emporium_api_kit::token::{Claims, TokenKeys};
use emporium_commands::notifications::UnsubscribeKey;

use crate::state::WriteState;

/// The notifications routes.
pub fn router() -> Router<WriteState> {
    Router::new()
        .route("/api/v1/notifications/email", post(campaigns::email_campaign))
        .route("/api/v1/notifications/sms", post(campaigns::sms_campaign))
        .route(
            "/api/v1/notifications/unsubscribe",
            get(unsubscribe::unsubscribe_get).post(unsubscribe::unsubscribe_post),
        )
}

/// The key unsubscribe links are signed with, derived from the access-token secret
/// so that no second secret has to be configured: the signature of a fixed,
/// already-expired token that grants nothing, which only the holder of the secret
/// can compute. The dispatcher signs with it
/// (`NotificationSettings::new(public_url, unsubscribe_key(&keys))`), these
/// endpoints verify with it.
pub fn unsubscribe_key(keys: &TokenKeys) -> UnsubscribeKey {
    let label = Claims {
        sub: "emporium/unsubscribe-links".to_owned(),
        roles: Vec::new(),
        iat: 0,
        exp: 0,
        jti: "unsubscribe-key".to_owned(),
        // None of the optional claims: the label, and so the key, stays what it was.
        iss: None,
        aud: None,
        nbf: None,
        ver: None,
    };
    let token = keys.sign(&label);
    let signature = token.rsplit('.').next().unwrap_or(&token);
    UnsubscribeKey::derived_from(signature.as_bytes())
}

/// The OpenAPI description of the notifications write endpoints.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(campaigns::email_campaign, campaigns::sms_campaign, unsubscribe::unsubscribe_get, unsubscribe::unsubscribe_post),
    components(schemas(input::EmailCampaignRequest, input::SmsCampaignRequest, answers::CampaignAccepted, answers::Unsubscribed)),
    tags((name = "notifications", description = "Promotional campaigns, unsubscribe links and delivery history"))
)]
pub struct NotificationsApi;

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use emporium_domain::ids::CustomerId;

    use super::*;

    #[test]
    fn the_routes_are_described_and_do_not_conflict() {
        use utoipa::OpenApi;
        let _ = router();
        let doc = serde_json::to_value(NotificationsApi::openapi()).unwrap();
        let paths = doc["paths"].as_object().unwrap();
        for path in ["/api/v1/notifications/email", "/api/v1/notifications/sms", "/api/v1/notifications/unsubscribe"] {
            assert!(paths.contains_key(path), "{path} missing");
        }
    }

    #[test]
    fn the_unsubscribe_key_follows_the_token_secret() {
        let ann = CustomerId::from_uuid(uuid::Uuid::from_u128(1));
        let keys = TokenKeys::new(&[1; 32]).unwrap();
        let token = unsubscribe_key(&keys).token(ann);
        assert_eq!(unsubscribe_key(&keys).verify(&token), Some(ann));
        assert_eq!(unsubscribe_key(&TokenKeys::new(&[2; 32]).unwrap()).verify(&token), None);
        // The labelling token grants nothing: it expired at the epoch.
        let label = keys.sign(&Claims {
            sub: "emporium/unsubscribe-links".into(),
            roles: vec![],
            iat: 0,
            exp: 0,
            jti: "unsubscribe-key".into(),
            iss: None,
            aud: None,
            nbf: None,
            ver: None,
        });
        assert!(keys.verify(&label, 1).is_err());
        // Links already mailed keep working only while the label signs as it always did.
        let payload = label.split('.').nth(1).unwrap();
        let payload = base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, payload).unwrap();
        assert_eq!(
            String::from_utf8(payload).unwrap(),
            r#"{"sub":"emporium/unsubscribe-links","roles":[],"iat":0,"exp":0,"jti":"unsubscribe-key"}"#
        );
    }
}
