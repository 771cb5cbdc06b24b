//! Money for people: minor units shown with their currency's decimals (ISO 4217
//! exponents), e.g. `1999` USD is `19.99 USD`, `500` JPY is `500 JPY`.

use crate::catalog::views::MoneyView;

/// Currencies without minor units.
const NO_DECIMALS: [&str; 16] =
    ["BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF"];
/// Currencies with three decimals.
const THREE_DECIMALS: [&str; 7] = ["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"];

/// How many decimals a currency's minor unit has.
pub fn decimals(currency: &str) -> u32 {
    if NO_DECIMALS.contains(&currency) {
        0
    } else if THREE_DECIMALS.contains(&currency) {
        3
    } else {
        2
    }
}

/// The amount in major units with the currency's decimals, without the code: `19.99`.
pub fn amount(money: &MoneyView) -> String {
    let places = decimals(&money.currency);
    let sign = if money.amount < 0 { "-" } else { "" };
    let minor = money.amount.unsigned_abs();
    if places == 0 {
        return format!("{sign}{minor}");
    }
    let unit = 10u64.pow(places);
    format!("{sign}{}.{:0width$}", minor / unit, minor % unit, width = places as usize)
}

/// The amount and its code: `19.99 USD`.
pub fn display(money: &MoneyView) -> String {
    format!("{} {}", amount(money), money.currency)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn money(amount: i64, currency: &str) -> MoneyView {
        MoneyView { amount, currency: currency.into() }
    }

    #[test]
    fn minor_units_become_major_units_with_the_right_decimals() {
        assert_eq!(display(&money(1999, "USD")), "19.99 USD");
        assert_eq!(display(&money(5, "EUR")), "0.05 EUR");
        assert_eq!(display(&money(0, "EUR")), "0.00 EUR");
        assert_eq!(display(&money(500, "JPY")), "500 JPY");
        assert_eq!(display(&money(1234, "KWD")), "1.234 KWD");
        assert_eq!(amount(&money(10_000_000_000_000, "USD")), "100000000000.00");
    }
}
