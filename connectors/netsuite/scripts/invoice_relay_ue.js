/**
 * Invoice Relay: NetSuite User Event script (SuiteScript 2.1).
 *
 * Deploy on Invoice, Customer Payment and Credit Memo. After each save it posts the
 * invoices the save touched (the invoice itself, or every invoice a payment or credit
 * memo applies to, before and after the change) to Invoice Relay, signed with N/crypto:
 *
 *   POST <custscript_ir_url>                      (…/webhooks/netsuite)
 *   Content-Type: application/json
 *   X-NS-Timestamp: <unix seconds>
 *   X-NS-Signature: <hex HMAC-SHA256(secret, timestamp + "." + body)>
 *
 * Script parameters (Customization > Scripting > Scripts > this script > Parameters):
 *   custscript_ir_url     Free-Form Text: https://relay.example.com/webhooks/netsuite
 *   custscript_ir_secret  Free-Form Text: the script id of an API Secret
 *                         (Setup > Company > API Secrets, e.g. custsecret_invoice_relay,
 *                         restricted to this script) or a credential field's GUID
 *
 * NetSuite does not retry: a failed post is tried once more, then logged (Execution Log,
 * "Invoice Relay post failed"); re-saving the record, or a scheduled reconciliation,
 * sends it again. The relay de-duplicates re-sends of the same save.
 *
 * @NApiVersion 2.1
 * @NScriptType UserEventScript
 * @NModuleScope SameAccount
 */
define(['N/crypto', 'N/encode', 'N/https', 'N/record', 'N/runtime', 'N/search', 'N/log'],
  (crypto, encode, https, record, runtime, search, log) => {
    const MAX_INVOICES_PER_POST = 50;
    const MIN_USAGE_LEFT = 60; // governance units kept for the post itself
    const RETRY_CODES = [408, 429, 500, 502, 503, 504];
    const currencyCodes = {};

    /** Two-digit zero padding. */
    const pad = (n) => (n < 10 ? '0' : '') + n;

    /** A date field's value (a Date at the day's midnight) as YYYY-MM-DD. */
    const isoDate = (d) => (d instanceof Date
      ? `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`
      : (d || null));

    /** A date/time field's value as ISO 8601 UTC. */
    const isoTime = (d) => (d instanceof Date ? d.toISOString() : (d || null));

    /** The ISO code of a currency record (its Symbol field), cached per execution. */
    const currencyCode = (id) => {
      if (!id) return null;
      if (!(id in currencyCodes)) {
        const found = search.lookupFields({ type: search.Type.CURRENCY, id, columns: ['symbol'] });
        currencyCodes[id] = found.symbol || null;
      }
      return currencyCodes[id];
    };

    /** The invoice fields the relay reads. */
    const invoiceSnapshot = (rec) => ({
      id: String(rec.id),
      tranId: rec.getValue({ fieldId: 'tranid' }) || null,
      status: rec.getValue({ fieldId: 'status' }) || null,
      statusRef: rec.getValue({ fieldId: 'statusRef' }) || null,
      entityId: String(rec.getValue({ fieldId: 'entity' }) || ''),
      entityName: rec.getText({ fieldId: 'entity' }) || null,
      currency: currencyCode(rec.getValue({ fieldId: 'currency' })),
      total: rec.getValue({ fieldId: 'total' }),
      amountRemaining: rec.getValue({ fieldId: 'amountremaining' }),
      amountPaid: rec.getValue({ fieldId: 'amountpaid' }),
      tranDate: isoDate(rec.getValue({ fieldId: 'trandate' })),
      dueDate: isoDate(rec.getValue({ fieldId: 'duedate' })),
      lastModified: isoTime(rec.getValue({ fieldId: 'lastmodifieddate' })),
    });

    /** Internal ids of invoices applied on a payment / credit memo's Apply sublist. */
    const appliedInvoices = (rec, into) => {
      if (!rec) return;
      const lines = rec.getLineCount({ sublistId: 'apply' });
      for (let line = 0; line < lines; line++) {
        const applied = rec.getSublistValue({ sublistId: 'apply', fieldId: 'apply', line });
        // `type` is the applied document's type ("Invoice"); other documents are skipped.
        const type = String(rec.getSublistValue({ sublistId: 'apply', fieldId: 'type', line }) || '');
        if (applied === true && (!type || ['invoice', 'custinvc'].indexOf(type.toLowerCase()) >= 0)) {
          into.add(String(rec.getSublistValue({ sublistId: 'apply', fieldId: 'doc', line })));
        }
      }
    };

    /** `hex(HMAC-SHA256(secret, t + "." + body))` with N/crypto. */
    const sign = (secretRef, t, body) => {
      const keyOptions = secretRef.indexOf('custsecret') === 0
        ? { secret: secretRef, encoding: encode.Encoding.UTF_8 }
        : { guid: secretRef, encoding: encode.Encoding.UTF_8 };
      const key = crypto.createSecretKey(keyOptions);
      const hmac = crypto.createHmac({ algorithm: crypto.HashAlg.SHA256, key });
      hmac.update({ input: `${t}.${body}`, inputEncoding: encode.Encoding.UTF_8 });
      return hmac.digest({ outputEncoding: encode.Encoding.HEX });
    };

    /** Posts one body; true when the relay took it. */
    const post = (url, secretRef, body) => {
      for (let attempt = 1; attempt <= 2; attempt++) {
        const t = String(Math.floor(Date.now() / 1000));
        try {
          const response = https.post({
            url,
            body,
            headers: {
              'Content-Type': 'application/json',
              'X-NS-Timestamp': t,
              'X-NS-Signature': sign(secretRef, t, body),
            },
          });
          if (response.code >= 200 && response.code < 300) return true;
          if (RETRY_CODES.indexOf(response.code) < 0) {
            log.error({ title: 'Invoice Relay refused the post', details: `HTTP ${response.code}` });
            return false;
          }
          log.audit({ title: 'Invoice Relay busy', details: `HTTP ${response.code}, attempt ${attempt}` });
        } catch (e) {
          log.audit({ title: 'Invoice Relay unreachable', details: `${e.name}: ${e.message}, attempt ${attempt}` });
        }
      }
      return false;
    };

    const afterSubmit = (context) => {
      const script = runtime.getCurrentScript();
      const url = script.getParameter({ name: 'custscript_ir_url' });
      const secretRef = script.getParameter({ name: 'custscript_ir_secret' });
      if (!url || !secretRef) {
        log.error({ title: 'Invoice Relay not configured', details: 'set custscript_ir_url and custscript_ir_secret' });
        return;
      }
      const deleted = context.type === context.UserEventType.DELETE;
      const saved = deleted ? context.oldRecord : context.newRecord;
      const recordType = saved.type;
      let invoices = [];
      if (recordType === record.Type.INVOICE) {
        invoices = [invoiceSnapshot(saved)];
      } else {
        const ids = new Set();
        appliedInvoices(context.newRecord, ids);
        appliedInvoices(context.oldRecord, ids);
        for (const id of ids) {
          if (script.getRemainingUsage() < MIN_USAGE_LEFT) {
            log.error({ title: 'Invoice Relay: governance limit', details: `invoices left out after ${invoices.length}` });
            break;
          }
          try {
            invoices.push(invoiceSnapshot(record.load({ type: record.Type.INVOICE, id })));
          } catch (e) {
            log.audit({ title: 'Invoice Relay: invoice not loaded', details: `${id}: ${e.message}` });
          }
        }
      }
      if (!invoices.length) return;
      const lastModified = deleted ? null : isoTime(saved.getValue({ fieldId: 'lastmodifieddate' }));
      for (let i = 0; i < invoices.length; i += MAX_INVOICES_PER_POST) {
        const body = JSON.stringify({
          source: 'netsuite',
          version: 1,
          account: runtime.accountId,
          recordType,
          eventType: String(context.type),
          id: String(saved.id),
          lastModified,
          sentAt: Date.now(),
          invoices: invoices.slice(i, i + MAX_INVOICES_PER_POST),
        });
        if (!post(url, secretRef, body)) {
          log.error({ title: 'Invoice Relay post failed', details: `${recordType} ${saved.id} (${context.type})` });
        }
      }
    };

    return { afterSubmit };
  });
