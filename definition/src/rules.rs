//! The value rules shared by the parser and the payload, worded as the runtime words them.

use crate::{CODE_LIMIT, HANDLER_LIMIT};

/// `^[A-Za-z0-9._-]{1,128}$`.
pub(crate) fn code_is_valid(code: &str) -> bool {
    !code.is_empty()
        && code.len() <= CODE_LIMIT
        && code.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// Why the server refuses `url` as `HANDLER` or `PLACEMENT_HANDLER`, if it does.
pub(crate) fn handler_url(url: &str) -> Option<&'static str> {
    if url.chars().count() > HANDLER_LIMIT {
        return Some("is longer than 1000 characters");
    }
    let Ok(parsed) = url::Url::parse(url) else {
        return Some("is not a URL");
    };
    // The server wants a dot after the host's first character: `localhost` fails, `127.0.0.1` passes.
    let dotted = parsed.host_str().and_then(|host| host.get(1..)).is_some_and(|rest| rest.contains('.'));
    if !dotted {
        return Some("needs a host with a dot (use 127.0.0.1, not localhost)");
    }
    if !matches!(parsed.scheme(), "http" | "https") {
        return Some("must use http or https");
    }
    None
}

/// `^[A-Za-z][A-Za-z0-9_]*$`.
pub(crate) fn id_is_valid(id: &str) -> bool {
    id.starts_with(|c: char| c.is_ascii_alphabetic()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// A document type `Type`: `PREFIX:NAME` with both parts non-empty and no spaces.
pub(crate) fn is_document_type(name: &str) -> bool {
    name.split_once(':')
        .is_some_and(|(prefix, rest)| !prefix.is_empty() && !rest.is_empty() && !name.chars().any(char::is_whitespace))
}

/// The document types activities may use (spec §2); numbered ones end in an id.
const ACTIVITY_DOCUMENT_TYPES: [(&str, &str, &str, bool); 10] = [
    ("crm", "CCrmDocumentLead", "LEAD", false),
    ("crm", "CCrmDocumentDeal", "DEAL", false),
    ("crm", "Bitrix\\Crm\\Integration\\BizProc\\Document\\Quote", "QUOTE", false),
    ("crm", "Bitrix\\Crm\\Integration\\BizProc\\Document\\SmartInvoice", "SMART_INVOICE", false),
    ("crm", "Bitrix\\Crm\\Integration\\BizProc\\Document\\Dynamic", "DYNAMIC_", true),
    ("crm", "CCrmDocumentContact", "CONTACT", false),
    ("crm", "CCrmDocumentCompany", "COMPANY", false),
    ("lists", "BizprocDocument", "iblock_", true),
    ("lists", "Bitrix\\Lists\\BizprocDocumentLists", "iblock_", true),
    ("disk", "Bitrix\\Disk\\BizProcDocument", "STORAGE_", true),
];

/// Whether the server knows `[module, entity, document]` as an activity's `DOCUMENT_TYPE`.
pub(crate) fn known_activity_document_type([module, entity, document]: &[String; 3]) -> bool {
    ACTIVITY_DOCUMENT_TYPES.iter().any(|&(m, e, d, numbered)| {
        m == module
            && e == entity
            && if numbered {
                document.strip_prefix(d).is_some_and(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()))
            } else {
                d == document
            }
    })
}

/// At most 80 characters, for messages.
pub(crate) fn shorten(text: &str) -> String {
    const LIMIT: usize = 80;
    let mut short: String = text.chars().take(LIMIT).collect();
    if short.len() < text.len() {
        short.push('…');
    }
    short
}
