/**
 * InvoiceRelay (Script Include, global scope, "Accessible from: All application scopes")
 *
 * Posts invoice records to Invoice Relay (POST /webhooks/servicenow) with
 * sn_ws.RESTMessageV2, signed Standard Webhooks style:
 *   webhook-id, webhook-timestamp (unix seconds),
 *   webhook-signature: v1,<base64 HMAC-SHA256(key, id + "." + timestamp + "." + body)>
 * computed with GlideCertificateEncryption.generateMac, which takes the key base64-encoded
 * and returns the MAC base64-encoded. Or, with invoice_relay.auth = basic, HTTP Basic.
 *
 * System properties (all strings):
 *   invoice_relay.endpoint       https://relay.example.com/webhooks/servicenow
 *   invoice_relay.auth           hmac (default) | basic
 *   invoice_relay.secret         hmac key: "whsec_<base64>" or a plain key (mark it Private)
 *   invoice_relay.basic_profile  basic: sys_id of a Basic Auth Profile (sys_auth_profile_basic)
 *   invoice_relay.basic_user     basic, without a profile: user name
 *   invoice_relay.basic_password basic, without a profile: password (mark it Private)
 *   invoice_relay.fields         JSON of field names, merged over InvoiceRelay.DEFAULT_FIELDS,
 *                                e.g. {"amount":"u_total","state":"u_status","amount_paid":"u_paid"}
 *   invoice_relay.batch          records per request of the resync fix script (default 100)
 *   invoice_relay.timeout_ms     HTTP timeout (default 10000)
 */
var InvoiceRelay = Class.create();

/** Field names of the invoice table; an empty name leaves the value out. */
InvoiceRelay.DEFAULT_FIELDS = {
    number: 'number',
    state: 'state',
    amount: 'amount',
    amount_paid: '',
    currency: '',
    due_date: 'due_date',
    account: 'account'
};

InvoiceRelay.prototype = {
    initialize: function () {
        this.endpoint = gs.getProperty('invoice_relay.endpoint', '');
        this.auth = gs.getProperty('invoice_relay.auth', 'hmac');
        this.timeout = parseInt(gs.getProperty('invoice_relay.timeout_ms', '10000'), 10) || 10000;
        this.batch = parseInt(gs.getProperty('invoice_relay.batch', '100'), 10) || 100;
        this.fields = {};
        var name;
        for (name in InvoiceRelay.DEFAULT_FIELDS) {
            this.fields[name] = InvoiceRelay.DEFAULT_FIELDS[name];
        }
        var custom = gs.getProperty('invoice_relay.fields', '');
        if (custom) {
            try {
                var parsed = JSON.parse(custom);
                for (name in parsed) {
                    this.fields[name] = String(parsed[name]);
                }
            } catch (e) {
                gs.error('Invoice Relay: invoice_relay.fields is not JSON: ' + e);
            }
        }
    },

    /** The record's state as the relay reads it. */
    record: function (gr, operation) {
        var f = this.fields;
        var amount = this._amount(gr, f.amount);
        var paid = this._amount(gr, f.amount_paid);
        var currency = this._value(gr, f.currency) || (amount ? amount.code : null) || null;
        var account = null;
        if (this._has(gr, f.account)) {
            account = { sys_id: gr.getValue(f.account), name: gr.getDisplayValue(f.account) };
        }
        var modCount = parseInt(gr.getValue('sys_mod_count'), 10);
        return {
            sys_id: gr.getUniqueValue(),
            number: this._value(gr, f.number),
            state: this._value(gr, f.state),
            state_display: this._has(gr, f.state) ? gr.getDisplayValue(f.state) : null,
            amount: amount ? amount.value : null,
            amount_paid: paid ? paid.value : null,
            currency: currency,
            due_date: this._value(gr, f.due_date),
            account: account,
            sys_updated_on: gr.getValue('sys_updated_on'),
            sys_mod_count: isNaN(modCount) ? null : modCount,
            operation: operation || 'update'
        };
    },

    /** Posts `records` of `table` in one request; true when the relay answered 2xx. */
    send: function (table, records) {
        if (!this.endpoint || !records.length) {
            gs.error('Invoice Relay: invoice_relay.endpoint is not set');
            return false;
        }
        var body = this._ascii(JSON.stringify({
            source: 'servicenow',
            version: 1,
            instance: gs.getProperty('instance_name'),
            table: table,
            records: records
        }));
        var id = records.length === 1
            ? 'msg_' + records[0].sys_id + '_' + records[0].sys_mod_count
            : 'msg_' + gs.generateGUID();
        var rm = new sn_ws.RESTMessageV2();
        rm.setEndpoint(this.endpoint);
        rm.setHttpMethod('post');
        rm.setHttpTimeout(this.timeout);
        rm.setRequestHeader('Content-Type', 'application/json');
        rm.setRequestHeader('Accept', 'application/json');
        if (this.auth === 'basic') {
            var profile = gs.getProperty('invoice_relay.basic_profile', '');
            if (profile) {
                rm.setAuthenticationProfile('basic', profile);
            } else {
                rm.setBasicAuth(gs.getProperty('invoice_relay.basic_user', ''),
                    gs.getProperty('invoice_relay.basic_password', ''));
            }
        } else {
            var secret = gs.getProperty('invoice_relay.secret', '');
            if (!secret) {
                gs.error('Invoice Relay: invoice_relay.secret is not set');
                return false;
            }
            var key = secret.indexOf('whsec_') === 0
                ? secret.substring(6)
                : GlideStringUtil.base64Encode(secret);
            var ts = String(Math.floor(new Date().getTime() / 1000));
            var mac = new GlideCertificateEncryption().generateMac(key, 'HmacSHA256', id + '.' + ts + '.' + body);
            rm.setRequestHeader('webhook-id', id);
            rm.setRequestHeader('webhook-timestamp', ts);
            rm.setRequestHeader('webhook-signature', 'v1,' + mac);
        }
        rm.setRequestBody(body);
        for (var attempt = 1; attempt <= 2; attempt++) {
            var status = 0;
            var error = '';
            try {
                var response = rm.execute();
                status = response.getStatusCode();
                if (response.haveError()) {
                    error = response.getErrorMessage();
                }
            } catch (e) {
                error = String(e);
            }
            if (status >= 200 && status < 300) {
                return true;
            }
            var retry = status === 0 || status === 429 || status >= 500;
            gs.warn('Invoice Relay: ' + table + ' post ' + id + ' got ' + status + ' ' + error +
                (retry && attempt === 1 ? ', retrying once' : ''));
            if (!retry) {
                break;
            }
        }
        return false;
    },

    _has: function (gr, field) {
        return !!field && gr.isValidField(field);
    },

    _value: function (gr, field) {
        if (!this._has(gr, field)) {
            return null;
        }
        var v = gr.getValue(field);
        return v === null || v === undefined || v === '' ? null : String(v);
    },

    /** A currency/price field's amount and code, or a decimal field's value. */
    _amount: function (gr, field) {
        if (!this._has(gr, field)) {
            return null;
        }
        var el = gr.getElement(field);
        var type = String(el.getED().getInternalType());
        if (type === 'currency' || type === 'price' || type === 'currency2') {
            return { value: String(el.getCurrencyValue()), code: String(el.getCurrencyCode()) };
        }
        var v = gr.getValue(field);
        return v === null || v === '' ? null : { value: String(v), code: null };
    },

    /** Escapes every non-ASCII character, so the signed string and the sent bytes agree. */
    _ascii: function (s) {
        return s.replace(/[\u007f-\uffff]/g, function (c) {
            return '\\u' + ('0000' + c.charCodeAt(0).toString(16)).slice(-4);
        });
    },

    type: 'InvoiceRelay'
};
