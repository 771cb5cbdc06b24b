//! The invoice as a complete, printable HTML page with no external assets. Every
//! string that came from a user (names, address, product names, coupon code) is
//! escaped.

use std::fmt::Write;

use axum::response::Html;

use super::invoice_view::InvoiceView;
pub use emporium_infra::html::escape;

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:48rem;margin:2rem auto;color:#222}\
h1{font-size:1.6rem;margin:0}table{width:100%;border-collapse:collapse;margin:1.5rem 0}\
th,td{padding:.4rem .5rem;border-bottom:1px solid #ddd;text-align:left}\
td.num,th.num{text-align:right}.parties{display:flex;justify-content:space-between;gap:2rem}\
.totals td{border:none}.totals tr.total td{font-weight:bold;border-top:2px solid #222}\
.meta{color:#555}@media print{body{margin:0}}";

/// The page.
pub fn render(invoice: &InvoiceView) -> Html<String> {
    let e = escape;
    let address = &invoice.buyer.shipping_address;
    let mut lines = String::new();
    for line in &invoice.lines {
        // Writing to a String cannot fail.
        let _ = write!(
            lines,
            "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            e(&line.name),
            e(&line.sku),
            line.quantity,
            e(&line.unit_price.to_string()),
            e(&line.line_total.to_string()),
        );
    }
    let line2 = address.line2.as_deref().map(|l| format!("{}<br>", e(l))).unwrap_or_default();
    let coupon = invoice.coupon_code.as_deref().map(|c| format!(" ({})", e(c))).unwrap_or_default();
    let page = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
<title>Invoice {number}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n\
<header><h1>Invoice {number}</h1>\n<p class=\"meta\">Issued {date} &middot; Order {order} &middot; Status {status}</p></header>\n\
<section class=\"parties\">\n<div><h2>Seller</h2><p>{seller}</p></div>\n\
<div><h2>Bill and ship to</h2><p>{name}<br>{line1}<br>{line2}{postal} {city}<br>{country}</p>\
<p class=\"meta\">Customer {customer}</p></div>\n</section>\n\
<table>\n<thead><tr><th>Item</th><th>SKU</th><th class=\"num\">Qty</th><th class=\"num\">Unit price</th><th class=\"num\">Amount</th></tr></thead>\n\
<tbody>{lines}</tbody>\n</table>\n\
<table class=\"totals\">\n<tr><td class=\"num\">Subtotal</td><td class=\"num\">{subtotal}</td></tr>\n\
<tr><td class=\"num\">Discount{coupon}</td><td class=\"num\">-{discount}</td></tr>\n\
<tr class=\"total\"><td class=\"num\">Total ({currency})</td><td class=\"num\">{total}</td></tr>\n</table>\n\
</body>\n</html>\n",
        number = e(&invoice.invoice_number),
        date = e(&invoice.issued_date),
        order = e(&invoice.order_id),
        status = e(&invoice.order_status),
        seller = e(&invoice.seller.name),
        name = e(&address.name),
        line1 = e(&address.line1),
        postal = e(&address.postal_code),
        city = e(&address.city),
        country = e(&address.country),
        customer = e(&invoice.buyer.customer_id),
        subtotal = e(&invoice.subtotal.to_string()),
        discount = e(&invoice.discount.to_string()),
        currency = e(&invoice.currency),
        total = e(&invoice.total.to_string()),
    );
    Html(page)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::orders::view::OrderView;
    use crate::orders::view::tests::order_doc;

    #[test]
    fn every_special_character_is_escaped() {
        assert_eq!(
            escape(r#"<script>alert("x") & 'y'</script>"#),
            "&lt;script&gt;alert(&quot;x&quot;) &amp; &#39;y&#39;&lt;/script&gt;"
        );
    }

    #[test]
    fn the_page_is_complete_and_shows_user_text_escaped() {
        let mut doc = order_doc("confirmed");
        doc["shipping_address"]["line2"] = serde_json::json!("<img src=x onerror=alert(1)>");
        let invoice = InvoiceView::of(OrderView::from_doc(doc).unwrap()).unwrap();
        let Html(page) = render(&invoice);
        assert!(page.starts_with("<!DOCTYPE html>") && page.trim_end().ends_with("</html>"));
        assert!(page.contains("Invoice INV-000042"));
        assert!(page.contains("Tee &lt;b&gt;bold&lt;/b&gt;") && !page.contains("<b>bold</b>"));
        assert!(page.contains("Ann &amp; &quot;Co&quot;"));
        assert!(page.contains("&lt;img src=x onerror=alert(1)&gt;") && !page.contains("<img"));
        assert!(page.contains("35.99 EUR") && page.contains("-3.99 EUR") && page.contains("(SAVE10)"));
    }
}
