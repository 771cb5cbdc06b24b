//! The account rules: what each command may do given the account's state.

use super::command::CustomerCommand;
use super::error::CustomerError;
use super::event::{
    CustomerEmailVerified, CustomerEvent, CustomerPasswordChanged, CustomerProfileChanged, CustomerRegistered,
    CustomerRoleGranted, CustomerRoleRevoked,
};
use super::phone::Phone;
use super::state::{Account, CustomerState};
use crate::values::bounded_text;

/// Longest display name accepted.
const MAX_NAME_CHARS: usize = 200;

/// Checks a command against the account and returns the events it causes.
pub(super) fn decide(state: &CustomerState, command: &CustomerCommand) -> Result<Vec<CustomerEvent>, CustomerError> {
    match command {
        CustomerCommand::Register { customer_id, email, name, at } => {
            if state.is_registered() {
                return Err(CustomerError::AlreadyRegistered);
            }
            Ok(vec![CustomerEvent::CustomerRegistered(CustomerRegistered {
                customer_id: *customer_id,
                email: email.clone(),
                name: valid_name(name)?,
                at: *at,
            })])
        }
        CustomerCommand::VerifyEmail { customer_id, at } => {
            if registered(state)?.email_verified {
                return Err(CustomerError::EmailAlreadyVerified);
            }
            Ok(vec![CustomerEvent::CustomerEmailVerified(CustomerEmailVerified { customer_id: *customer_id, at: *at })])
        }
        CustomerCommand::ChangeProfile { customer_id, name, phone, marketing_opt_in, at } => {
            registered(state)?;
            let name = valid_name(name)?;
            let phone = phone.as_deref().map(Phone::parse).transpose()?;
            Ok(vec![CustomerEvent::CustomerProfileChanged(CustomerProfileChanged {
                customer_id: *customer_id,
                name,
                phone,
                marketing_opt_in: *marketing_opt_in,
                at: *at,
            })])
        }
        CustomerCommand::RecordPasswordChange { customer_id, at } => {
            registered(state)?;
            Ok(vec![CustomerEvent::CustomerPasswordChanged(CustomerPasswordChanged {
                customer_id: *customer_id,
                at: *at,
            })])
        }
        CustomerCommand::GrantRole { customer_id, role, at } => {
            if registered(state)?.has_role(*role) {
                return Err(CustomerError::RoleAlreadyGranted(*role));
            }
            Ok(vec![CustomerEvent::CustomerRoleGranted(CustomerRoleGranted {
                customer_id: *customer_id,
                role: *role,
                at: *at,
            })])
        }
        CustomerCommand::RevokeRole { customer_id, role, at } => {
            if !registered(state)?.has_role(*role) {
                return Err(CustomerError::RoleNotHeld(*role));
            }
            Ok(vec![CustomerEvent::CustomerRoleRevoked(CustomerRoleRevoked {
                customer_id: *customer_id,
                role: *role,
                at: *at,
            })])
        }
    }
}

fn registered(state: &CustomerState) -> Result<&Account, CustomerError> {
    state.account().ok_or(CustomerError::NotFound)
}

fn valid_name(raw: &str) -> Result<String, CustomerError> {
    bounded_text("name", raw, MAX_NAME_CHARS).map_err(CustomerError::InvalidName)
}
