//! The `.qwc` file a QuickBooks administrator opens in the Web Connector ("Add an
//! application") to connect a company file to the relay.

use crate::soap::escape;

/// What goes into the `.qwc` file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QwcOptions {
    /// Name shown in the Web Connector.
    pub app_name: String,
    /// The relay's HTTPS URL of this company (`https://relay.example.com/webhooks/quickbooks-desktop/<company>`).
    /// QBWC accepts plain HTTP only for `localhost`.
    pub app_url: String,
    /// A support page (QBWC requires it on the same host as `app_url`).
    pub app_support: String,
    /// The Web Connector user (`qbwc_user` in the relay's config).
    pub user_name: String,
    /// A GUID identifying the application, `{…}` form, kept stable.
    pub owner_id: String,
    /// A GUID identifying the company file link, `{…}` form, kept stable.
    pub file_id: String,
    /// Minutes between scheduled syncs.
    pub run_every_minutes: u32,
}

/// True for a `{8-4-4-4-12}` hex GUID.
pub fn is_guid(s: &str) -> bool {
    let Some(inner) = s.strip_prefix('{').and_then(|r| r.strip_suffix('}')) else {
        return false;
    };
    let groups: Vec<&str> = inner.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The `.qwc` XML. Read-only access (`IsReadOnly`): the relay only queries invoices.
///
/// ```
/// use invoice_connector_quickbooks_desktop::qwc::{qwc_file, QwcOptions};
/// let xml = qwc_file(&QwcOptions {
///     app_name: "Invoice Relay".into(),
///     app_url: "https://relay.example.com/webhooks/quickbooks-desktop/brightline".into(),
///     app_support: "https://relay.example.com/".into(),
///     user_name: "invoice-relay".into(),
///     owner_id: "{3f1c2a9e-6b7d-4e21-9a55-0c8d7e6f5a41}".into(),
///     file_id: "{b9e04d13-2c6f-4a8b-8d71-5e3f2a1c0b97}".into(),
///     run_every_minutes: 15,
/// }).unwrap();
/// assert!(xml.contains("<RunEveryNMinutes>15</RunEveryNMinutes>"));
/// ```
pub fn qwc_file(o: &QwcOptions) -> Result<String, String> {
    if !is_guid(&o.owner_id) || !is_guid(&o.file_id) {
        return Err("owner_id and file_id must be {GUID}s".into());
    }
    if !(o.app_url.starts_with("https://") || o.app_url.starts_with("http://localhost")) {
        return Err("the Web Connector needs an https:// URL (http only for localhost)".into());
    }
    if o.run_every_minutes == 0 {
        return Err("run_every_minutes must be at least 1".into());
    }
    Ok(format!(
        "<?xml version=\"1.0\"?>\r\n<QBWCXML>\r\n  <AppName>{}</AppName>\r\n  <AppID></AppID>\r\n  \
<AppURL>{}</AppURL>\r\n  <AppDescription>Sends invoice status changes to the customer portal (read-only)</AppDescription>\r\n  \
<AppSupport>{}</AppSupport>\r\n  <UserName>{}</UserName>\r\n  <OwnerID>{}</OwnerID>\r\n  <FileID>{}</FileID>\r\n  \
<QBType>QBFS</QBType>\r\n  <Scheduler>\r\n    <RunEveryNMinutes>{}</RunEveryNMinutes>\r\n  </Scheduler>\r\n  \
<IsReadOnly>true</IsReadOnly>\r\n</QBWCXML>\r\n",
        escape(&o.app_name),
        escape(&o.app_url),
        escape(&o.app_support),
        escape(&o.user_name),
        o.owner_id,
        o.file_id,
        o.run_every_minutes
    ))
}
