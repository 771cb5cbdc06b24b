//! Every template parses and renders; HTML is escaped, text is not.

use super::*;
use crate::notifications::facts::LineFacts;

fn templates() -> Templates {
    Templates::new("http://shop.test/")
}

fn every_kind() -> Vec<Facts> {
    vec![
        Facts::Welcome,
        Facts::OrderConfirmation {
            order_id: "o-1".into(),
            invoice_number: 42,
            lines: vec![LineFacts { name: "Mug <XL>".into(), quantity: 2, line_total: "10.00 USD".into() }],
            subtotal: "10.00 USD".into(),
            discount: Some("1.00 USD".into()),
            total: "9.00 USD".into(),
        },
        Facts::PaymentConfirmation { order_id: "o-1".into(), amount: "9.00 USD".into() },
        Facts::ShippingUpdate { order_id: "o-1".into(), carrier: "DHL".into(), tracking_number: "JD0001".into() },
        Facts::Cancellation {
            order_id: "o-1".into(),
            reason: "insufficient stock for SKU MUG".into(),
            refund_due: true,
        },
        Facts::Refund { order_id: "o-1".into(), amount: "4.00 USD".into(), total_refunded: "9.00 USD".into() },
        Facts::promotion(Some("Summer sale".into()), "Everything 20% off.\n\nOnly <today> & tomorrow."),
    ]
}

#[test]
fn every_template_parses() {
    let templates = templates();
    for (name, _) in SOURCES {
        assert!(templates.env.get_template(name).is_ok(), "{name} does not parse");
    }
}

#[test]
fn every_kind_renders_a_subject_a_text_and_an_html_part() {
    let templates = templates();
    for facts in every_kind() {
        let rendered = templates.render(&facts, "Ann <Lee>", Channel::Email).unwrap();
        let html = rendered.html.unwrap();
        assert!(!rendered.subject.is_empty() && !rendered.subject.contains('\n'), "{:?}", rendered.subject);
        assert!(rendered.text.starts_with("Hello Ann <Lee>,\n\n"), "{}", rendered.text);
        assert!(html.starts_with("<!DOCTYPE html>") && html.contains("Hello Ann &lt;Lee&gt;,"), "{html}");
        assert!(!html.contains("<Lee>"), "names are escaped in HTML: {html}");
    }
}

#[test]
fn an_order_confirmation_lists_lines_and_totals() {
    let rendered = templates().render(&every_kind()[1], "Ann", Channel::Email).unwrap();
    assert_eq!(rendered.subject, "Order confirmed: invoice 42");
    for line in ["Invoice: 42\n", "2 x Mug <XL>  10.00 USD\n", "Discount: -1.00 USD\n", "Total:    9.00 USD\n"] {
        assert!(rendered.text.contains(line), "{line:?} missing in\n{}", rendered.text);
    }
    assert!(rendered.html.unwrap().contains("2 &times; Mug &lt;XL&gt;"));
}

#[test]
fn a_campaign_carries_the_unsubscribe_marker_until_it_is_sent() {
    let rendered = templates().render(&every_kind()[6], "Ann", Channel::Email).unwrap();
    assert_eq!(rendered.subject, "Summer sale");
    assert!(rendered.text.contains(&format!("Unsubscribe: {UNSUBSCRIBE_MARKER}\n")));
    let html = rendered.html.unwrap();
    assert!(html.contains("<p>Only &lt;today&gt; &amp; tomorrow.</p>"), "{html}");
    let (text, html) = with_unsubscribe_link(&rendered.text, Some(&html), "http://shop.test/u?token=a&b");
    assert!(text.contains("Unsubscribe: http://shop.test/u?token=a&b\n"));
    assert!(html.unwrap().contains("href=\"http://shop.test/u?token=a&amp;b\""));
}

#[test]
fn only_campaigns_go_by_sms_with_a_short_label() {
    let sms = templates()
        .render(
            &Facts::promotion(None, "Flash sale: 20% off everything in the shop until midnight tonight!"),
            "Ann",
            Channel::Sms,
        )
        .unwrap();
    assert_eq!(sms.html, None);
    assert_eq!(
        sms.text,
        format!(
            "Emporium: Flash sale: 20% off everything in the shop until midnight tonight!\nUnsubscribe: {UNSUBSCRIBE_MARKER}"
        )
    );
    assert_eq!(sms.subject.chars().count(), 61);
    assert!(matches!(templates().render(&Facts::Welcome, "Ann", Channel::Sms), Err(TemplateError::NoTemplate { .. })));
}
