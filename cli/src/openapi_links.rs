//! OpenAPI links: which answer supplies the ids another operation takes, so clients
//! (and Schemathesis's stateful phase) can follow a product from its creation to its
//! page, its stock and a cart, an order to its payment and invoice, an account to its
//! roles. Each link names the target operation and where its parameters come from in
//! the source's answer (runtime expressions, OpenAPI 3.1 §4.8.20).

use serde_json::{Map, Value, json};

/// One link: from an operation's answer (method, path, status) to another operation.
struct Link {
    from: (&'static str, &'static str, &'static str),
    name: &'static str,
    to: &'static str,
    parameters: &'static [(&'static str, &'static str)],
    body: Option<fn() -> Value>,
}

const NEW_ID: &str = "$response.body#/data/id";
const SIGNED_IN: &str = "$response.body#/data/customer_id";

const LINKS: &[Link] = &[
    Link {
        from: ("post", "/api/v1/products", "201"),
        name: "GetProduct",
        to: "get_product",
        parameters: &[("id", NEW_ID)],
        body: None,
    },
    Link {
        from: ("post", "/api/v1/products", "201"),
        name: "UpdateProduct",
        to: "update_product",
        parameters: &[("id", NEW_ID)],
        body: None,
    },
    Link {
        from: ("post", "/api/v1/products", "201"),
        name: "ChangeStock",
        to: "change_stock",
        parameters: &[("id", NEW_ID)],
        body: None,
    },
    Link {
        from: ("post", "/api/v1/products", "201"),
        name: "DiscontinueProduct",
        to: "discontinue_product",
        parameters: &[("id", NEW_ID)],
        body: None,
    },
    Link {
        from: ("post", "/api/v1/products", "201"),
        name: "AddToCart",
        to: "add_item",
        parameters: &[],
        body: Some(|| json!({ "product_id": NEW_ID, "quantity": 1 })),
    },
    Link {
        from: ("post", "/api/v1/categories", "201"),
        name: "GetCategory",
        to: "get_category",
        parameters: &[("id", NEW_ID)],
        body: None,
    },
    Link {
        from: ("post", "/api/v1/coupons", "201"),
        name: "GetCoupon",
        to: "get_coupon",
        parameters: &[("id", NEW_ID)],
        body: None,
    },
    Link {
        from: ("post", "/api/v1/orders", "201"),
        name: "GetOrder",
        to: "get_order",
        parameters: &[("orderId", NEW_ID)],
        body: None,
    },
    Link {
        from: ("post", "/api/v1/orders", "201"),
        name: "CancelOrder",
        to: "cancel_order",
        parameters: &[("orderId", NEW_ID)],
        body: None,
    },
    Link {
        from: ("post", "/api/v1/orders", "201"),
        name: "UpdateStatus",
        to: "update_status",
        parameters: &[("orderId", NEW_ID)],
        body: None,
    },
    Link {
        from: ("post", "/api/v1/orders", "201"),
        name: "GetInvoice",
        to: "get_invoice",
        parameters: &[("orderId", NEW_ID)],
        body: None,
    },
    Link {
        from: ("post", "/api/v1/orders", "201"),
        name: "GetOrderPayments",
        to: "get_order_payments",
        parameters: &[("orderId", NEW_ID)],
        body: None,
    },
    Link {
        from: ("post", "/api/v1/users/register", "201"),
        name: "GrantRole",
        to: "grant_role",
        parameters: &[("id", NEW_ID)],
        body: None,
    },
    Link {
        from: ("post", "/api/v1/users/register", "201"),
        name: "RevokeRole",
        to: "revoke_role",
        parameters: &[("id", NEW_ID)],
        body: None,
    },
    Link {
        from: ("post", "/api/v1/users/login", "200"),
        name: "GetCart",
        to: "get_cart",
        parameters: &[("userId", SIGNED_IN)],
        body: None,
    },
    Link {
        from: ("post", "/api/v1/users/login", "200"),
        name: "ListOrders",
        to: "list_user_orders",
        parameters: &[("userId", SIGNED_IN)],
        body: None,
    },
    Link {
        from: ("post", "/api/v1/users/login", "200"),
        name: "NotificationHistory",
        to: "notification_history",
        parameters: &[("userId", SIGNED_IN)],
        body: None,
    },
    Link {
        from: ("post", "/api/v1/users/login", "200"),
        name: "ListMethods",
        to: "list_methods",
        parameters: &[("userId", SIGNED_IN)],
        body: None,
    },
];

/// Adds [`LINKS`] to the document's answers (a link whose source or target is not in
/// the document is a bug the tests catch).
pub fn add(document: &mut Value) {
    for link in LINKS {
        let (method, path, status) = link.from;
        let pointer = format!("/paths/{}/{method}/responses/{status}", path.replace('~', "~0").replace('/', "~1"));
        let Some(answer) = document.pointer_mut(&pointer).and_then(Value::as_object_mut) else { continue };
        let mut target = Map::new();
        target.insert("operationId".to_owned(), json!(link.to));
        // Always present, even empty: utoipa's `Link` needs the field to read the document back.
        let parameters: Map<String, Value> = link.parameters.iter().map(|(k, v)| ((*k).to_owned(), json!(v))).collect();
        target.insert("parameters".to_owned(), Value::Object(parameters));
        if let Some(body) = link.body {
            target.insert("requestBody".to_owned(), body());
        }
        let links = answer.entry("links").or_insert_with(|| json!({}));
        if let Some(links) = links.as_object_mut() {
            links.insert(link.name.to_owned(), Value::Object(target));
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn every_link_leaves_an_answer_of_the_document_for_an_operation_of_it_with_its_parameters() {
        let document = crate::openapi::document();
        let mut operations = std::collections::HashMap::new();
        for item in document["paths"].as_object().unwrap().values() {
            for operation in item.as_object().unwrap().values() {
                let parameters: HashSet<String> = operation["parameters"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|p| p["name"].as_str().map(str::to_owned))
                    .collect();
                operations.insert(operation["operationId"].as_str().unwrap().to_owned(), parameters);
            }
        }
        for link in LINKS {
            let (method, path, status) = link.from;
            let answer = &document["paths"][path][method]["responses"][status];
            assert_eq!(answer["links"][link.name]["operationId"], link.to, "{method} {path} {status}: {}", link.name);
            let parameters = operations.get(link.to).unwrap_or_else(|| panic!("no operation {}", link.to));
            for (name, _) in link.parameters {
                assert!(parameters.contains(*name), "{} takes no parameter {name}", link.to);
            }
        }
    }
}
