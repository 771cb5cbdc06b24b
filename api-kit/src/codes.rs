//! The error codes the API answers: one table of every code, with its HTTP status and
//! what it means. Integrators program against these codes, so they are stable, and
//! `docs/error-codes.md` publishes the table (a test keeps it in step).
//!
//! Codes of the HTTP layer are named here and nowhere else: [`ApiError`]
//! (crate::ApiError) and [`FieldError`](crate::FieldError) take an [`ErrorCode`], not a
//! string. A domain refusal's code is the domain's own (`OrderError::code`); it finds
//! its status here ([`ErrorCode::parse`]), and a test checks every domain code has an
//! entry.

use axum::http::StatusCode;

/// Declares [`ErrorCode`] from rows of `Variant = "code", STATUS, "meaning";`.
macro_rules! error_codes {
    ($($variant:ident = $code:literal, $status:ident, $meaning:literal;)*) => {
        /// A stable error code of the API (the table is in this file's source).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ErrorCode {
            $(#[doc = $meaning] $variant,)*
        }

        impl ErrorCode {
            /// Every code, in the table's order.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)*];

            /// The dotted code as answered (`order.not_found`).
            pub fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $code,)*
                }
            }

            /// The HTTP status of an answer whose code this is (a field error inside
            /// `validation.failed` is answered 400 whatever its own code).
            pub fn status(self) -> StatusCode {
                match self {
                    $(ErrorCode::$variant => StatusCode::$status,)*
                }
            }

            /// What it means, in one line.
            pub fn meaning(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $meaning,)*
                }
            }
        }
    };
}

impl ErrorCode {
    /// The code named `code`, if the table has it.
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|known| known.as_str() == code)
    }
}

/// Serialised as its dotted code, as answered.
impl serde::Serialize for ErrorCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// Compares with the dotted code, as tests and callers spell it.
impl PartialEq<&str> for ErrorCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

error_codes! {
    Internal = "internal", INTERNAL_SERVER_ERROR, "Something failed on the server's side; the details are in its log, not in the answer.";
    RequestMalformedJson = "request.malformed_json", BAD_REQUEST, "The body is not well-formed JSON.";
    RequestNotAnObject = "request.not_an_object", BAD_REQUEST, "The body is JSON but not an object.";
    RequestNulCharacter = "request.nul_character", BAD_REQUEST, "The body contains a NUL character, which no field accepts.";
    RequestUnreadableBody = "request.unreadable_body", BAD_REQUEST, "The body could not be read (cut off, or not UTF-8).";
    RequestInvalidQuery = "request.invalid_query", BAD_REQUEST, "The query string does not parse (unknown value, wrong type).";
    RequestTooLarge = "request.too_large", PAYLOAD_TOO_LARGE, "The body is larger than the API accepts.";
    RequestUnsupportedMediaType = "request.unsupported_media_type", UNSUPPORTED_MEDIA_TYPE, "The body is not sent as `application/json`.";
    RequestRateLimited = "request.rate_limited", TOO_MANY_REQUESTS, "The caller sent more requests than its share; retry after `Retry-After` seconds.";
    RequestTimeout = "request.timeout", SERVICE_UNAVAILABLE, "The request took longer than the server allows; retry.";
    RouteNotFound = "route.not_found", NOT_FOUND, "No route has this path.";
    RouteMethodNotAllowed = "route.method_not_allowed", BAD_REQUEST, "The path exists but not with this method.";
    ServerBusy = "server.busy", SERVICE_UNAVAILABLE, "The server is at capacity for this kind of work (password hashing, live feeds); retry after `Retry-After` seconds.";
    StoreUnavailable = "store.unavailable", SERVICE_UNAVAILABLE, "The event store cannot be reached; a retry with the same `Idempotency-Key` is safe.";
    ReadModelUnavailable = "read_model.unavailable", SERVICE_UNAVAILABLE, "The read models cannot be reached; retry shortly.";
    ReadModelBehind = "read_model.behind", SERVICE_UNAVAILABLE, "The read model did not reach `X-Emporium-Min-Position` in time; retry.";
    ReadModelBusy = "read_model.busy", SERVICE_UNAVAILABLE, "Too many reads are waiting for the read model to catch up; retry.";
    HealthEventStoreUnavailable = "health.event_store_unavailable", SERVICE_UNAVAILABLE, "Readiness: the event store does not answer.";
    HealthConsumerStopped = "health.consumer_stopped", SERVICE_UNAVAILABLE, "Readiness: a consumer this process runs (named in `field`) has stopped.";
    IdempotencyKeyReused = "idempotency.key_reused", CONFLICT, "This `Idempotency-Key` was used before with a different request.";
    CommandContention = "command.contention", CONFLICT, "Others kept changing the same thing while this command was retried; retry it.";
    ValidationFailed = "validation.failed", BAD_REQUEST, "One or more fields are invalid; `errors` names each with its own code.";
    ValidationRequired = "validation.required", BAD_REQUEST, "A required field is missing or empty.";
    ValidationInvalid = "validation.invalid", BAD_REQUEST, "A field's value is not one the field accepts.";
    ValidationInvalidId = "validation.invalid_id", BAD_REQUEST, "An id is not a UUID.";
    ValidationInvalidEmail = "validation.invalid_email", BAD_REQUEST, "An e-mail address is not valid.";
    ValidationTooLong = "validation.too_long", BAD_REQUEST, "A text field is longer than allowed.";
    ValidationOutOfRange = "validation.out_of_range", BAD_REQUEST, "A number is outside the allowed range (paging, quantities).";
    ValidationBeyondHead = "validation.beyond_head", BAD_REQUEST, "A position is beyond the end of the event log.";
    ValidationPasswordTooShort = "validation.password_too_short", BAD_REQUEST, "A new password has fewer than 8 characters.";
    ValidationPasswordTooLong = "validation.password_too_long", BAD_REQUEST, "A password has more than 128 characters.";
    MoneyInvalidCurrency = "money.invalid_currency", BAD_REQUEST, "A currency is not a three-letter ISO 4217 code the shop knows.";
    MoneyOutOfRange = "money.out_of_range", BAD_REQUEST, "An amount is negative or too large.";
    AuthUnauthorized = "auth.unauthorized", UNAUTHORIZED, "No valid access token was sent.";
    AuthForbidden = "auth.forbidden", FORBIDDEN, "The caller's role does not allow this.";
    AuthInvalidCredentials = "auth.invalid_credentials", UNAUTHORIZED, "The e-mail address and password do not match an account.";
    AuthInvalidRefreshToken = "auth.invalid_refresh_token", UNAUTHORIZED, "The refresh token is unknown, expired or already used.";
    AuthInvalidToken = "auth.invalid_token", BAD_REQUEST, "A verification or password-reset token is unknown, expired or already used.";
    AuthWrongPassword = "auth.wrong_password", BAD_REQUEST, "The current password given to change it is wrong.";
    AuthTooManyAttempts = "auth.too_many_attempts", TOO_MANY_REQUESTS, "Too many sign-in attempts for this address; retry after `Retry-After` seconds.";
    UserNotFound = "user.not_found", NOT_FOUND, "No such user.";
    CustomerNotFound = "customer.not_found", NOT_FOUND, "No such customer (or not one the caller may see).";
    CustomerAlreadyRegistered = "customer.already_registered", CONFLICT, "An account with this e-mail address exists.";
    CustomerEmailAlreadyVerified = "customer.email_already_verified", CONFLICT, "The e-mail address is verified already.";
    CustomerRoleAlreadyGranted = "customer.role_already_granted", CONFLICT, "The customer holds this role already.";
    CustomerRoleNotHeld = "customer.role_not_held", CONFLICT, "The customer does not hold this role.";
    CustomerOwnAdminRole = "customer.own_admin_role", CONFLICT, "An Admin cannot take the Admin role from themselves.";
    CustomerInvalidRole = "customer.invalid_role", BAD_REQUEST, "Not a role the shop knows.";
    CustomerInvalidName = "customer.invalid_name", BAD_REQUEST, "A name is empty or too long.";
    CustomerInvalidPhone = "customer.invalid_phone", BAD_REQUEST, "A phone number is not in E.164 form.";
    ProductNotFound = "product.not_found", NOT_FOUND, "No such product.";
    ProductAlreadyExists = "product.already_exists", CONFLICT, "A product with this id exists.";
    ProductSkuTaken = "product.sku_taken", CONFLICT, "Another product has this SKU.";
    ProductDiscontinued = "product.discontinued", CONFLICT, "The product is discontinued.";
    ProductCurrencyChange = "product.currency_change", CONFLICT, "A product's price cannot change currency.";
    ProductInvalidName = "product.invalid_name", BAD_REQUEST, "A product name is empty or too long.";
    ProductInvalidSku = "product.invalid_sku", BAD_REQUEST, "A SKU is empty, too long or has characters a SKU may not have.";
    ProductDescriptionTooLong = "product.description_too_long", BAD_REQUEST, "A product description is too long.";
    ProductTooManyImages = "product.too_many_images", BAD_REQUEST, "A product has more images than allowed.";
    ProductInvalidImageUrl = "product.invalid_image_url", BAD_REQUEST, "An image URL is not an absolute http(s) URL.";
    CategoryNotFound = "category.not_found", NOT_FOUND, "No such category (also a field error when a product or category refers to one).";
    CategoryParentNotFound = "category.parent_not_found", BAD_REQUEST, "The parent category does not exist.";
    CategoryAlreadyExists = "category.already_exists", CONFLICT, "A category with this id exists.";
    CategoryNameTaken = "category.name_taken", CONFLICT, "Another category has this name.";
    CategoryOwnParent = "category.own_parent", BAD_REQUEST, "A category cannot be its own parent.";
    CategoryInvalidName = "category.invalid_name", BAD_REQUEST, "A category name is empty or too long.";
    InventoryInsufficientStock = "inventory.insufficient_stock", CONFLICT, "Not enough units are available.";
    InventoryAdjustmentExceedsAvailable = "inventory.adjustment_exceeds_available", CONFLICT, "Taking this many units away would leave less than is reserved.";
    InventoryOnHandLimitExceeded = "inventory.on_hand_limit_exceeded", CONFLICT, "The stock would exceed the most a product may hold.";
    InventoryAlreadyReserved = "inventory.already_reserved", CONFLICT, "These units are reserved for this order already.";
    InventoryNoReservation = "inventory.no_reservation", CONFLICT, "No reservation exists for this order.";
    InventoryInvalidAdjustment = "inventory.invalid_adjustment", BAD_REQUEST, "A stock adjustment is zero or out of range.";
    InventoryInvalidReason = "inventory.invalid_reason", BAD_REQUEST, "A stock adjustment's reason is empty or too long.";
    CouponNotFound = "coupon.not_found", NOT_FOUND, "No such coupon.";
    CouponAlreadyExists = "coupon.already_exists", CONFLICT, "A coupon with this id exists.";
    CouponCodeTaken = "coupon.code_taken", CONFLICT, "Another coupon has this code.";
    CouponDisabled = "coupon.disabled", CONFLICT, "The coupon is disabled.";
    CouponNotYetValid = "coupon.not_yet_valid", CONFLICT, "The coupon's validity has not started.";
    CouponExpired = "coupon.expired", CONFLICT, "The coupon's validity has ended.";
    CouponUsageLimitReached = "coupon.usage_limit_reached", CONFLICT, "The coupon has been used as often as it may be.";
    CouponInvalidCode = "coupon.invalid_code", BAD_REQUEST, "A coupon code is empty, too long or has characters a code may not have.";
    CouponInvalidPercent = "coupon.invalid_percent", BAD_REQUEST, "A percentage discount is not between 1 and 100.";
    CouponInvalidAmount = "coupon.invalid_amount", BAD_REQUEST, "A fixed discount is zero or out of range.";
    CouponInvalidValidity = "coupon.invalid_validity", BAD_REQUEST, "A coupon's validity ends before it starts.";
    CouponInvalidMaxUses = "coupon.invalid_max_uses", BAD_REQUEST, "A coupon's use limit is zero.";
    CartNotFound = "cart.not_found", NOT_FOUND, "The caller has no such cart.";
    CartLineNotFound = "cart.line_not_found", NOT_FOUND, "The cart has no such line.";
    CartEmpty = "cart.empty", BAD_REQUEST, "The cart has no lines to check out or discount.";
    CartInvalidValue = "cart.invalid_value", BAD_REQUEST, "A cart value (quantity, line) is invalid.";
    CartInvalidCurrency = "cart.invalid_currency", BAD_REQUEST, "A cart amount has an unknown currency.";
    CartCustomerMismatch = "cart.customer_mismatch", CONFLICT, "The cart belongs to another customer.";
    CartLineIdTaken = "cart.line_id_taken", CONFLICT, "The cart has a line with this id already.";
    CartTooManyLines = "cart.too_many_lines", CONFLICT, "The cart has as many lines as it may hold.";
    CartQuantityTooLarge = "cart.quantity_too_large", CONFLICT, "A line's quantity would exceed the most allowed.";
    CartInvalidDiscount = "cart.invalid_discount", CONFLICT, "The discount is larger than the cart's total.";
    CartCouponNotYetValid = "cart.coupon_not_yet_valid", CONFLICT, "The coupon's validity has not started.";
    CartCouponExpired = "cart.coupon_expired", CONFLICT, "The coupon's validity has ended.";
    CartCouponExhausted = "cart.coupon_exhausted", CONFLICT, "The coupon has been used as often as it may be.";
    CartCurrencyMismatch = "cart.currency_mismatch", CONFLICT, "The cart's lines are in different currencies.";
    CartAmountOutOfRange = "cart.amount_out_of_range", CONFLICT, "The cart's total is out of range.";
    OrderNotFound = "order.not_found", NOT_FOUND, "No such order (or not one the caller may see).";
    OrderAlreadyExists = "order.already_exists", CONFLICT, "An order with this id exists.";
    OrderNoLines = "order.no_lines", BAD_REQUEST, "An order has no lines.";
    OrderTooManyLines = "order.too_many_lines", BAD_REQUEST, "An order has more lines than allowed.";
    OrderDuplicateLine = "order.duplicate_line", BAD_REQUEST, "An order names the same product twice.";
    OrderInvalidValue = "order.invalid_value", BAD_REQUEST, "An order value (quantity, address field) is invalid.";
    OrderInvalidCountry = "order.invalid_country", BAD_REQUEST, "A shipping country is not an ISO 3166 alpha-2 code.";
    OrderCardNumberRefused = "order.card_number_refused", BAD_REQUEST, "A raw card number was sent; only provider tokens are accepted.";
    OrderInvalidInvoiceNumber = "order.invalid_invoice_number", BAD_REQUEST, "An invoice number is zero.";
    OrderZeroRefund = "order.zero_refund", BAD_REQUEST, "A refund of nothing.";
    OrderCurrencyMismatch = "order.currency_mismatch", BAD_REQUEST, "An order's amounts are in different currencies.";
    OrderAmountOutOfRange = "order.amount_out_of_range", BAD_REQUEST, "An order's total is out of range.";
    OrderInvalidCurrency = "order.invalid_currency", BAD_REQUEST, "An order amount has an unknown currency.";
    OrderStatusNotSettable = "order.status_not_settable", BAD_REQUEST, "Staff set only shipped or delivered; the other statuses follow from checkout, payment or cancellation.";
    OrderInvalidDiscount = "order.invalid_discount", CONFLICT, "The discount is larger than the order's total.";
    OrderInvalidTransition = "order.invalid_transition", CONFLICT, "The order's current status does not allow this.";
    OrderAlreadyPaid = "order.already_paid", CONFLICT, "The order is paid already.";
    OrderPaymentAmountMismatch = "order.payment_amount_mismatch", CONFLICT, "The payment's amount is not the order's total.";
    OrderItemsNotReserved = "order.items_not_reserved", CONFLICT, "The order's items are not reserved.";
    OrderPaymentDeadlinePassed = "order.payment_deadline_passed", CONFLICT, "The time to pay this order has passed.";
    OrderNotPaid = "order.not_paid", CONFLICT, "The order is not paid.";
    OrderRefundExceedsPaid = "order.refund_exceeds_paid", CONFLICT, "The refund exceeds what was paid and not yet refunded.";
    OrderNotInvoiced = "order.not_invoiced", CONFLICT, "The order has no invoice yet.";
    OrderPaymentMethodChanged = "order.payment_method_changed", CONFLICT, "A retry named a different payment method than the first attempt.";
    OrderTooManyFeeds = "order.too_many_feeds", TOO_MANY_REQUESTS, "The customer has as many live order feeds open as allowed.";
    PaymentNotFound = "payment.not_found", NOT_FOUND, "No such payment.";
    PaymentAlreadyExists = "payment.already_exists", CONFLICT, "A payment with this id exists.";
    PaymentAlreadyFailed = "payment.already_failed", CONFLICT, "The payment failed already.";
    PaymentInvalidTransition = "payment.invalid_transition", CONFLICT, "The payment's current state does not allow this.";
    PaymentCaptureExceedsAuthorized = "payment.capture_exceeds_authorized", CONFLICT, "The capture exceeds the authorised amount.";
    PaymentNotCaptured = "payment.not_captured", CONFLICT, "The payment was not captured, so it cannot be refunded.";
    PaymentRefundExceedsCaptured = "payment.refund_exceeds_captured", CONFLICT, "The refund exceeds what was captured and not yet refunded.";
    PaymentNothingToRefund = "payment.nothing_to_refund", CONFLICT, "Everything captured has been refunded.";
    PaymentRefundRejected = "payment.refund_rejected", CONFLICT, "The payment provider refused the refund.";
    PaymentZeroAmount = "payment.zero_amount", BAD_REQUEST, "A payment of nothing.";
    PaymentCardNumberRefused = "payment.card_number_refused", BAD_REQUEST, "A raw card number was sent; only provider tokens are accepted.";
    PaymentInvalidValue = "payment.invalid_value", BAD_REQUEST, "A payment value is invalid.";
    PaymentInvalidMethod = "payment.invalid_method", BAD_REQUEST, "A payment method token is empty, too long or malformed.";
    PaymentMethodNotFound = "payment.method_not_found", BAD_REQUEST, "The saved payment method named does not exist for this customer.";
    PaymentDeclined = "payment.declined", BAD_REQUEST, "The payment provider declined the payment method.";
    PaymentCurrencyMismatch = "payment.currency_mismatch", BAD_REQUEST, "An amount is in another currency than the payment's.";
    PaymentAmountOutOfRange = "payment.amount_out_of_range", BAD_REQUEST, "A payment amount is out of range.";
    PaymentInvalidCurrency = "payment.invalid_currency", BAD_REQUEST, "A payment amount has an unknown currency.";
    PaymentProviderUnavailable = "payment.provider_unavailable", SERVICE_UNAVAILABLE, "The payment provider cannot be reached; retry with the same `Idempotency-Key`.";
    WalletMethodNotFound = "wallet.method_not_found", NOT_FOUND, "No such saved payment method.";
    WalletCardNumberRefused = "wallet.card_number_refused", BAD_REQUEST, "A raw card number was sent; only provider tokens are accepted.";
    WalletInvalidLast4 = "wallet.invalid_last4", BAD_REQUEST, "The last four digits are not four digits.";
    WalletInvalidValue = "wallet.invalid_value", BAD_REQUEST, "A saved payment method value is invalid.";
    WalletTooManyMethods = "wallet.too_many_methods", CONFLICT, "The customer has as many saved payment methods as allowed.";
    WalletMethodIdTaken = "wallet.method_id_taken", CONFLICT, "A saved payment method with this id exists.";
    WebhookNotEnabled = "webhook.not_enabled", NOT_FOUND, "Stripe webhooks are not configured on this server.";
    WebhookSignatureMissing = "webhook.signature_missing", BAD_REQUEST, "The `Stripe-Signature` header is missing.";
    WebhookSignatureMalformed = "webhook.signature_malformed", BAD_REQUEST, "The `Stripe-Signature` header has no timestamp or no signature.";
    WebhookSignatureExpired = "webhook.signature_expired", BAD_REQUEST, "The signature's timestamp is outside the tolerance.";
    WebhookSignatureMismatch = "webhook.signature_mismatch", BAD_REQUEST, "No signature matches the body and the signing secret.";
    WebhookMalformedEvent = "webhook.malformed_event", BAD_REQUEST, "The event body is not a Stripe event the shop understands.";
    WebhookPaymentNotCaptured = "webhook.payment_not_captured", CONFLICT, "The refund refers to a payment the shop has not captured.";
    CampaignNotFound = "campaign.not_found", NOT_FOUND, "No such campaign.";
    CampaignAlreadyRequested = "campaign.already_requested", CONFLICT, "A campaign with this id exists.";
    CampaignAlreadyDispatched = "campaign.already_dispatched", CONFLICT, "The campaign was sent already.";
    CampaignInvalidSubject = "campaign.invalid_subject", BAD_REQUEST, "A campaign subject is empty or too long.";
    CampaignInvalidBody = "campaign.invalid_body", BAD_REQUEST, "A campaign body is empty or too long.";
    NotificationInvalidToken = "notification.invalid_token", BAD_REQUEST, "An unsubscribe token is not valid.";
}

/// The table as Markdown, as `docs/error-codes.md` publishes it.
pub fn markdown_table() -> String {
    let mut out = String::from(
        "# Error codes\n\n\
         Every answer that is not a success carries a stable `code` (in `errors[0].code`, and in\n\
         each entry of `errors` for `validation.failed`). Program against the code, not the\n\
         message. A code listed at 400 may also appear as a field error inside a\n\
         `validation.failed` answer, which is always 400.\n\n\
         This file is generated from `api-kit/src/codes.rs`; a test keeps it in step\n\
         (`EMPORIUM_UPDATE_ERROR_CODES=1 cargo nextest run -p emporium-api-kit codes` rewrites it).\n\n\
         | code | status | meaning |\n|---|---|---|\n",
    );
    for code in ErrorCode::ALL {
        out.push_str(&format!("| `{}` | {} | {} |\n", code.as_str(), code.status().as_u16(), code.meaning()));
    }
    out
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::{Path, PathBuf};

    use super::*;

    fn workspace() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("api-kit sits in the workspace").to_path_buf()
    }

    #[test]
    fn codes_are_unique_dotted_and_parse_back() {
        let mut seen = BTreeSet::new();
        for &code in ErrorCode::ALL {
            assert!(seen.insert(code.as_str()), "{code} is in the table twice");
            let dotted = code.as_str().split('.').all(|part| {
                !part.is_empty() && part.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            });
            assert!(dotted, "{code} is not a dotted lower-case code");
            assert_eq!(ErrorCode::parse(code.as_str()), Some(code));
            assert!(code.status().is_client_error() || code.status().is_server_error(), "{code}");
            assert!(!code.meaning().is_empty(), "{code} has no meaning");
        }
        assert_eq!(ErrorCode::parse("order.no_such_code"), None);
    }

    /// Every code a domain error can carry, read from the `code()` functions of the
    /// domain's error types. Notification and invoice errors are left out: no HTTP
    /// path answers with them (the dispatcher and the order saga handle them).
    fn domain_codes() -> BTreeSet<String> {
        let mut files = Vec::new();
        let mut dirs = vec![workspace().join("domain/src")];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).expect("domain/src is readable") {
                let path = entry.expect("a directory entry").path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.file_name().is_some_and(|name| name == "error.rs") {
                    files.push(path);
                }
            }
        }
        let skipped = [Path::new("notification/error.rs"), Path::new("invoice/error.rs")];
        let mut codes = BTreeSet::new();
        for file in files {
            let relative = file.strip_prefix(workspace().join("domain/src")).expect("under domain/src");
            if skipped.contains(&relative) {
                continue;
            }
            let text = std::fs::read_to_string(&file).expect("readable");
            for arm in text.split("=> \"").skip(1) {
                let code = arm.split('"').next().unwrap_or_default();
                if code.contains('.') {
                    codes.insert(code.to_owned());
                }
            }
        }
        codes
    }

    #[test]
    fn every_code_a_domain_refusal_can_carry_is_in_the_table() {
        let codes = domain_codes();
        assert!(codes.len() > 50, "found only {} domain codes: is the scan still reading error.rs?", codes.len());
        let missing: Vec<&String> = codes.iter().filter(|code| ErrorCode::parse(code).is_none()).collect();
        assert!(missing.is_empty(), "domain codes missing from the table: {missing:?}");
    }

    #[test]
    fn a_domain_refusal_is_answered_at_its_codes_status_and_a_missing_code_is_a_500() {
        let refused = crate::ApiError::refusal("order.invalid_transition", "", "no");
        assert_eq!((refused.status.as_u16(), refused.code.as_str()), (409, "order.invalid_transition"));
        let invalid = crate::ApiError::refusal("order.no_lines", "lines", "no lines");
        assert_eq!((invalid.status.as_u16(), invalid.code.as_str()), (400, "validation.failed"));
        assert_eq!((invalid.errors[0].field.as_str(), invalid.errors[0].code.as_str()), ("lines", "order.no_lines"));
        let unknown = crate::ApiError::refusal("order.not_in_the_table", "", "no");
        assert_eq!((unknown.status.as_u16(), unknown.code.as_str()), (500, "internal"));
    }

    #[test]
    fn the_published_table_matches_the_code() {
        let path = workspace().join("docs/error-codes.md");
        let expected = markdown_table();
        if std::env::var("EMPORIUM_UPDATE_ERROR_CODES").is_ok_and(|v| v == "1") {
            std::fs::write(&path, &expected).expect("docs/error-codes.md is writable");
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == expected,
            "docs/error-codes.md differs from api-kit/src/codes.rs; rerun with EMPORIUM_UPDATE_ERROR_CODES=1"
        );
    }
}
