// Runs the shipped ServiceNow scripts under Node: the Script Include
// (scripts/invoice_relay_include.js) and then the Business Rule or the resync fix script,
// in a vm context with shims of Class, gs, GlideStringUtil, GlideCertificateEncryption
// (HMAC via Node's crypto: the key is base64-decoded, the MAC returned in base64, as the
// API reference documents), sn_ws.RESTMessageV2 (execute captures instead of sending),
// GlideRecord and `current`. Prints the captured requests (URL, headers, exact body bytes
// as hex) and log lines as JSON.
//
//   node servicenow.js <scripts dir> <scenario>
//
// Scenarios: update_paid | insert_open | whsec | custom_fields | non_ascii | basic |
// basic_profile | retry | resync | no_secret.
// Only Node built-ins are used.
'use strict';

const nodeCrypto = require('crypto');
const fs = require('fs');
const path = require('path');
const vm = require('vm');

const [, , dir, scenario] = process.argv;
const NOW_MS = Date.UTC(2026, 0, 15, 10, 0, 0);
const SECRET = process.env.RELAY_SECRET || 'servicenow_invoice_relay_fixture_secret';

class FixedDate extends Date {
  constructor(...args) {
    if (args.length === 0) super(NOW_MS);
    else super(...args);
  }
  static now() {
    return NOW_MS;
  }
}

const requests = [];
const logs = [];
const responses = [];

const properties = {
  instance_name: 'anodizeworks',
  'invoice_relay.endpoint': 'https://relay.anodize-works.example/webhooks/servicenow',
  'invoice_relay.secret': SECRET,
};
switch (scenario) {
  case 'whsec':
    properties['invoice_relay.secret'] = 'whsec_' + Buffer.from(SECRET, 'utf8').toString('base64');
    break;
  case 'custom_fields':
    properties['invoice_relay.fields'] = JSON.stringify({ amount: 'u_total', amount_paid: 'u_paid', state: 'u_status', currency: 'u_currency', number: 'u_invoice_number' });
    break;
  case 'basic':
    properties['invoice_relay.auth'] = 'basic';
    properties['invoice_relay.basic_user'] = 'relay';
    properties['invoice_relay.basic_password'] = 'pa:ss wörd';
    break;
  case 'basic_profile':
    properties['invoice_relay.auth'] = 'basic';
    properties['invoice_relay.basic_profile'] = '0f1e2d3c4b5a69788796a5b4c3d2e1f0';
    break;
  case 'resync':
    properties['invoice_relay.batch'] = '2';
    break;
  case 'no_secret':
    delete properties['invoice_relay.secret'];
    break;
  default:
}
const PROFILES = { '0f1e2d3c4b5a69788796a5b4c3d2e1f0': { user: 'relay-profile', password: 'pr0file' } };

const gs = {
  getProperty: (name, dflt) => (name in properties ? properties[name] : dflt === undefined ? null : dflt),
  generateGUID: () => 'a3f5c1d2e4b60718293a4b5c6d7e8f90',
  info: (m) => logs.push({ level: 'info', message: String(m) }),
  warn: (m) => logs.push({ level: 'warn', message: String(m) }),
  error: (m) => logs.push({ level: 'error', message: String(m) }),
};

const GlideStringUtil = {
  base64Encode: (s) => Buffer.from(String(s), 'utf8').toString('base64'),
};

function GlideCertificateEncryption() {}
GlideCertificateEncryption.prototype.generateMac = function (key, algorithm, data) {
  if (algorithm !== 'HmacSHA256') throw new Error('shim: expected HmacSHA256, got ' + algorithm);
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(key) || key.length % 4 !== 0) throw new Error('shim: key is not base64: ' + key);
  return nodeCrypto.createHmac('sha256', Buffer.from(key, 'base64')).update(Buffer.from(String(data), 'utf8')).digest('base64');
};

function RESTMessageV2() {
  this.headers = {};
  this.body = '';
  this.method = null;
  this.endpoint = null;
}
RESTMessageV2.prototype = {
  setEndpoint(u) { this.endpoint = u; },
  setHttpMethod(m) { this.method = String(m).toUpperCase(); },
  setHttpTimeout(ms) { this.timeout = ms; },
  setRequestHeader(k, v) { this.headers[k] = String(v); },
  setRequestBody(b) { this.body = String(b); },
  setBasicAuth(user, password) {
    this.headers.Authorization = 'Basic ' + Buffer.from(user + ':' + password, 'utf8').toString('base64');
  },
  setAuthenticationProfile(type, sysId) {
    if (type !== 'basic' || !(sysId in PROFILES)) throw new Error('shim: no profile ' + sysId);
    const p = PROFILES[sysId];
    this.setBasicAuth(p.user, p.password);
  },
  execute() {
    if (this.method !== 'POST') throw new Error('shim: method ' + this.method);
    requests.push({ url: this.endpoint, headers: Object.assign({ 'User-Agent': 'ServiceNow/1.0' }, this.headers), body_hex: Buffer.from(this.body, 'utf8').toString('hex') });
    const status = responses.length ? responses.shift() : 200;
    return {
      getStatusCode: () => status,
      haveError: () => status === 0 || status >= 400,
      getErrorMessage: () => (status === 0 ? 'connection refused' : 'HTTP ' + status),
      getBody: () => '',
    };
  },
};

// Field types of the shim table: currency fields answer getCurrencyValue / getCurrencyCode.
const TYPES = { amount: 'currency', u_total: 'decimal', u_paid: 'decimal' };

function makeRecord(table, fields, operation) {
  return {
    getTableName: () => table,
    getUniqueValue: () => fields.sys_id,
    operation: () => operation,
    isValidField: (f) => f in fields,
    getValue: (f) => {
      const v = fields[f];
      if (v === undefined || v === null) return null;
      if (typeof v === 'object' && 'value' in v) return v.value;
      if (typeof v === 'object' && 'amount' in v) return v.code + ';' + v.amount;
      return String(v);
    },
    getDisplayValue: (f) => {
      const v = fields[f];
      if (v && typeof v === 'object' && 'display' in v) return v.display;
      return v === undefined || v === null ? '' : String(v);
    },
    getElement: (f) => ({
      getED: () => ({ getInternalType: () => TYPES[f] || 'string' }),
      getCurrencyValue: () => fields[f].amount,
      getCurrencyCode: () => fields[f].code,
    }),
  };
}

const ACME = { value: 'a1b2c3d4e5f60718293a4b5c6d7e8f90', display: 'Acme Coatings GmbH' };
const ZH = { value: 'b2c3d4e5f60718293a4b5c6d7e8f90a1', display: 'Zürich Härterei AG' };

const RECORDS = {
  paid: {
    sys_id: '9d385017c611228701d22104cc95c371', number: 'INV0001042', state: { value: 'paid', display: 'Paid' },
    amount: { amount: '1250.00', code: 'EUR' }, due_date: '2026-01-10', account: ACME,
    sys_updated_on: '2026-01-15 09:59:58', sys_mod_count: '7',
  },
  open: {
    sys_id: '0c2f4e6a8b1d3f5a7c9e1b3d5f7a9c1e', number: 'INV0001043', state: { value: 'issued', display: 'Issued' },
    amount: { amount: '640.5', code: 'USD' }, due_date: '2026-02-14', account: ACME,
    sys_updated_on: '2026-01-15 09:58:00', sys_mod_count: '0',
  },
  custom: {
    sys_id: '1d3f5a7c9e1b3d5f7a9c1e0c2f4e6a8b', u_invoice_number: 'AW-2026-0117', u_status: { value: 'open', display: 'Open' },
    u_total: '2000.00', u_paid: '500.00', u_currency: 'CHF', due_date: '2026-02-01', account: ZH,
    sys_updated_on: '2026-01-15 09:59:00', sys_mod_count: '3',
  },
  umlaut: {
    sys_id: '2e4a6c8e0a2c4e6a8c0e2a4c6e8a0c2e', number: 'INV0001044', state: { value: 'partially_paid', display: 'Teilweise bezahlt – offen' },
    amount: { amount: '3980.00', code: 'EUR' }, due_date: '2026-01-31', account: ZH,
    sys_updated_on: '2026-01-15 09:59:30', sys_mod_count: '2',
  },
};

function run() {
  const sandbox = {
    Date: FixedDate, Math, JSON, Object, String, Number, Error, parseInt, isNaN,
    Class: { create: () => function () { this.initialize.apply(this, arguments); } },
    gs, GlideStringUtil, GlideCertificateEncryption, sn_ws: { RESTMessageV2 },
    previous: null,
  };
  let rule = 'invoice_relay_rule.js';
  switch (scenario) {
    case 'update_paid':
    case 'whsec':
    case 'basic':
    case 'basic_profile':
    case 'no_secret':
      sandbox.current = makeRecord('x_invoice', RECORDS.paid, 'update');
      break;
    case 'retry':
      responses.push(503, 200);
      sandbox.current = makeRecord('x_invoice', RECORDS.paid, 'update');
      break;
    case 'insert_open':
      sandbox.current = makeRecord('x_invoice', RECORDS.open, 'insert');
      break;
    case 'custom_fields':
      sandbox.current = makeRecord('x_anodize_invoice', RECORDS.custom, 'update');
      break;
    case 'non_ascii':
      sandbox.current = makeRecord('x_invoice', RECORDS.umlaut, 'update');
      break;
    case 'resync': {
      rule = 'invoice_relay_resync.js';
      const rows = [RECORDS.paid, RECORDS.open, RECORDS.umlaut];
      sandbox.GlideRecord = function (table) {
        if (table !== 'x_invoice') throw new Error('shim: table ' + table);
        let i = -1;
        this.addEncodedQuery = (q) => { this.query_ = q; };
        this.orderBy = () => {};
        this.query = () => {};
        this.next = () => ++i < rows.length;
        const proxy = (name) => (...args) => makeRecord('x_invoice', rows[i], 'resync')[name](...args);
        for (const m of ['getTableName', 'getUniqueValue', 'isValidField', 'getValue', 'getDisplayValue', 'getElement']) this[m] = proxy(m);
      };
      break;
    }
    default:
      throw new Error('unknown scenario ' + scenario);
  }
  const ctx = vm.createContext(sandbox);
  for (const file of ['invoice_relay_include.js', rule]) {
    const p = path.join(dir, file);
    vm.runInContext(fs.readFileSync(p, 'utf8'), ctx, { filename: p });
  }
  process.stdout.write(JSON.stringify({ requests, logs }));
}

run();
