// Runs the shipped SuiteScript 2.1 User Event script (scripts/invoice_relay_ue.js) under
// Node: a tiny AMD `define` hands it shims of N/crypto (HMAC via Node's crypto), N/encode,
// N/https (post captures instead of sending), N/record, N/runtime, N/search and N/log.
// Prints every captured request (URL, headers, exact body bytes as hex) as JSON.
//
//   node suitescript.js <path to invoice_relay_ue.js> <scenario>
//
// Scenarios: invoice_edit | payment_create | invoice_delete | guid_secret | retry.
// Only Node built-ins are used.
'use strict';

const nodeCrypto = require('crypto');
const fs = require('fs');
const vm = require('vm');

const [, , scriptPath, scenario] = process.argv;
const NOW_MS = Date.UTC(2026, 0, 15, 10, 0, 0);
const SECRET = process.env.RELAY_SECRET || 'netsuite_invoice_relay_fixture_secret';
// What NetSuite holds: an API secret by script id, and a credential field by GUID.
const SECRETS = { custsecret_invoice_relay: SECRET, '2a4f0c2b7d6e4f1aa1b2c3d4e5f60718': SECRET };

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
const responses = [];
const logs = [];

const Encoding = { UTF_8: 'UTF_8', HEX: 'HEX', BASE_64: 'BASE_64' };

const N = {
  'N/encode': { Encoding },
  'N/crypto': {
    HashAlg: { SHA1: 'SHA1', SHA256: 'SHA256', SHA512: 'SHA512' },
    createSecretKey: (options) => {
      const ref = options.secret || options.guid;
      if (!(ref in SECRETS)) throw new Error('shim: unknown secret ' + ref);
      if (options.encoding !== Encoding.UTF_8) throw new Error('shim: expected UTF_8 key encoding');
      return { ref };
    },
    createHmac: ({ algorithm, key }) => {
      if (algorithm !== 'SHA256') throw new Error('shim: expected SHA256');
      const mac = nodeCrypto.createHmac('sha256', Buffer.from(SECRETS[key.ref], 'utf8'));
      return {
        update: ({ input, inputEncoding }) => {
          if (inputEncoding !== undefined && inputEncoding !== Encoding.UTF_8) throw new Error('shim: input must be UTF_8');
          mac.update(Buffer.from(input, 'utf8'));
        },
        // N/crypto's digest defaults to HEX.
        digest: ({ outputEncoding } = {}) => {
          if (outputEncoding !== undefined && outputEncoding !== Encoding.HEX) throw new Error('shim: expected HEX');
          return mac.digest('hex');
        },
      };
    },
  },
  'N/https': {
    post: ({ url, body, headers }) => {
      requests.push({ url, headers: Object.assign({}, headers), body_hex: Buffer.from(body, 'utf8').toString('hex') });
      const next = responses.length ? responses.shift() : 200;
      if (next === 'throw') {
        const e = new Error('connection reset');
        e.name = 'SSS_CONNECTION_CLOSED';
        throw e;
      }
      return { code: next, body: '' };
    },
  },
  'N/runtime': {
    accountId: '1234567',
    getCurrentScript: () => ({
      getParameter: ({ name }) =>
        ({
          custscript_ir_url: 'https://relay.anodize-works.example/webhooks/netsuite',
          custscript_ir_secret: scenario === 'guid_secret' ? '2a4f0c2b7d6e4f1aa1b2c3d4e5f60718' : 'custsecret_invoice_relay',
        })[name],
      getRemainingUsage: () => 1000,
    }),
  },
  'N/search': {
    Type: { CURRENCY: 'currency' },
    lookupFields: ({ type, id, columns }) => {
      if (type !== 'currency' || columns[0] !== 'symbol') throw new Error('shim: unexpected lookup');
      return { symbol: { 1: 'USD', 2: 'GBP', 4: 'EUR' }[id] || '' };
    },
  },
  'N/log': {
    debug: (o) => logs.push(o),
    audit: (o) => logs.push(o),
    error: (o) => logs.push(o),
  },
};

// Records as SuiteScript returns them: numbers for currency fields, Date objects for dates.
const INVOICES = {
  4711: {
    tranid: 'INV10042', status: 'Open', statusRef: 'open', entity: 812, 'entity#text': 'Acme Coatings GmbH', currency: 1,
    total: 1150, amountremaining: 750, amountpaid: 400, trandate: new FixedDate(2026, 0, 2), duedate: new FixedDate(2026, 0, 17),
    lastmodifieddate: new FixedDate(Date.UTC(2026, 0, 14, 9, 12, 44)),
  },
  4712: {
    tranid: 'INV10043', status: 'Paid In Full', statusRef: 'paidInFull', entity: 812, 'entity#text': 'Acme Coatings GmbH', currency: 1,
    total: 310.5, amountremaining: 0, amountpaid: 310.5, trandate: new FixedDate(2026, 0, 3), duedate: new FixedDate(2026, 1, 2),
    lastmodifieddate: new FixedDate(Date.UTC(2026, 0, 10, 8, 0, 0)),
  },
  4713: {
    tranid: 'INV10044', status: 'Open', statusRef: 'open', entity: 901, 'entity#text': 'Zürich Härterei AG', currency: 4,
    total: 2000, amountremaining: 1500, amountpaid: 500, trandate: new FixedDate(2026, 0, 5), duedate: new FixedDate(2026, 1, 4),
    lastmodifieddate: new FixedDate(Date.UTC(2026, 0, 11, 8, 0, 0)),
  },
};

function makeRecord(type, id, fields, apply) {
  return {
    type,
    id,
    getValue: ({ fieldId }) => (fieldId in fields ? fields[fieldId] : null),
    getText: ({ fieldId }) => fields[fieldId + '#text'] || '',
    getLineCount: ({ sublistId }) => (sublistId === 'apply' && apply ? apply.length : -1),
    getSublistValue: ({ sublistId, fieldId, line }) => {
      if (sublistId !== 'apply') throw new Error('shim: sublist ' + sublistId);
      return apply[line][fieldId];
    },
  };
}

N['N/record'] = {
  Type: { INVOICE: 'invoice', CUSTOMER_PAYMENT: 'customerpayment', CREDIT_MEMO: 'creditmemo' },
  load: ({ type, id }) => {
    if (type !== 'invoice' || !(id in INVOICES)) throw new Error('shim: no ' + type + ' ' + id);
    return makeRecord('invoice', Number(id), INVOICES[id]);
  },
};

const UserEventType = { CREATE: 'create', EDIT: 'edit', XEDIT: 'xedit', DELETE: 'delete' };

function run() {
  let defined;
  const sandbox = {
    Date: FixedDate,
    Math, JSON, Object, String, Number, Error, Set,
    define: (deps, factory) => {
      defined = factory(...deps.map((d) => {
        if (!(d in N)) throw new Error('shim: no module ' + d);
        return N[d];
      }));
    },
  };
  vm.runInContext(fs.readFileSync(scriptPath, 'utf8'), vm.createContext(sandbox), { filename: scriptPath });
  const invoice = (id) => makeRecord('invoice', id, INVOICES[id]);
  let context;
  switch (scenario) {
    case 'invoice_edit':
    case 'guid_secret':
      context = { type: 'edit', UserEventType, newRecord: invoice(4711), oldRecord: invoice(4711) };
      break;
    case 'retry':
      responses.push('throw', 200);
      context = { type: 'edit', UserEventType, newRecord: invoice(4711), oldRecord: invoice(4711) };
      break;
    case 'invoice_delete':
      context = { type: 'delete', UserEventType, newRecord: null, oldRecord: invoice(4713) };
      break;
    case 'payment_create': {
      const apply = [
        { apply: true, type: 'Invoice', doc: 4712, amount: 310.5 },
        { apply: true, type: 'Invoice', doc: 4711, amount: 400 },
        { apply: false, type: 'Invoice', doc: 4713, amount: 0 },
        { apply: true, type: 'Journal', doc: 5001, amount: 20 },
      ];
      const payment = makeRecord('customerpayment', 9120, { lastmodifieddate: new FixedDate(Date.UTC(2026, 0, 15, 9, 59, 58)) }, apply);
      context = { type: 'create', UserEventType, newRecord: payment, oldRecord: null };
      break;
    }
    default:
      throw new Error('unknown scenario ' + scenario);
  }
  defined.afterSubmit(context);
  process.stdout.write(JSON.stringify({ requests, logs }));
}

run();
