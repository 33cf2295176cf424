//! Creating a volunteer account: the rules the API's `POST /api/v1/auth/register` and the
//! register page share, so both answer the same field errors.

use crate::error::ApiResult;
use crate::state::AppState;
use hourbook_domain::error::Validator;
use hourbook_domain::identity::{Email, check_new_password, parse_name};
use hourbook_store::accounts::Account;

/// An e-mail address and name that passed the rules, with the password to hash.
pub struct NewAccount {
    email: Email,
    name: String,
    password: String,
}

/// Checks the account fields into `v`: an e-mail address, a password of at least 10
/// characters and a name. `None` when one of them is wrong (the errors are in `v`).
pub fn check_account_fields(
    v: &mut Validator,
    email: &str,
    password: &str,
    name: &str,
) -> Option<NewAccount> {
    let email = v.check(Email::parse(email));
    v.check(check_new_password(password));
    let name = v.check(parse_name(name, "name"));
    let (email, name) = email.zip(name)?;
    Some(NewAccount {
        email,
        name,
        password: password.to_string(),
    })
}

/// Stores the account (a taken e-mail address is a conflict).
pub async fn create_account(state: &AppState, new: NewAccount) -> ApiResult<Account> {
    let hash = state.hash_password(new.password).await?;
    Ok(state
        .store
        .register(&new.email, &new.name, &hash, state.clock.now())
        .await?)
}
