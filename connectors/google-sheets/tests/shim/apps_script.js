// Runs the shipped Apps Script (scripts/invoice-relay.gs) under Node with small shims of
// the Apps Script services it uses, and prints every request UrlFetchApp would have sent
// (URL, headers, exact body bytes as hex) plus the script properties left behind.
//
//   node apps_script.js <path to invoice-relay.gs> <scenario>
//
// Scenarios: edit | bulk | retry | budget. Only Node built-ins are used.
'use strict';

const crypto = require('crypto');
const fs = require('fs');
const vm = require('vm');

const [, , scriptPath, scenario] = process.argv;
const NOW_MS = Date.UTC(2026, 0, 15, 10, 0, 0);
const SECRET = process.env.RELAY_SECRET || 'sheets_invoice_relay_fixture_secret';

// Apps Script returns Java bytes: signed, -128..127.
const toSigned = (buf) => Array.from(buf, (b) => (b > 127 ? b - 256 : b));
const toBuffer = (v) => (typeof v === 'string' ? Buffer.from(v, 'utf8') : Buffer.from(v.map((b) => b & 0xff)));

class FixedDate extends Date {
  constructor(...args) {
    if (args.length === 0) super(NOW_MS);
    else super(...args);
  }
  static now() {
    return NOW_MS;
  }
}

const properties = new Map([
  ['RELAY_URL', 'https://relay.anodize-works.example/webhooks/google-sheets'],
  ['RELAY_SECRET', SECRET],
]);
const requests = [];
const responseCodes = [];
const logs = [];

const Utilities = {
  newBlob: (text) => ({ getBytes: () => toSigned(Buffer.from(String(text), 'utf8')) }),
  computeHmacSha256Signature: (value, key) =>
    toSigned(crypto.createHmac('sha256', toBuffer(key)).update(toBuffer(value)).digest()),
  base64Encode: (bytes) => toBuffer(bytes).toString('base64'),
  formatDate: (date, tz, format) => {
    if (format !== 'yyyy-MM-dd') throw new Error('shim: unsupported format ' + format);
    // en-CA formats dates as yyyy-MM-dd.
    return new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(date);
  },
};

const UrlFetchApp = {
  fetch: (url, params) => {
    const headers = Object.assign({}, params.headers || {});
    headers['Content-Type'] = params.contentType;
    requests.push({
      url,
      method: params.method,
      headers,
      body_hex: toBuffer(params.payload).toString('hex'),
      mute_http_exceptions: params.muteHttpExceptions === true,
    });
    const code = responseCodes.length ? responseCodes.shift() : 200;
    return { getResponseCode: () => code, getContentText: () => '' };
  },
};

const PropertiesService = {
  getScriptProperties: () => ({
    getProperty: (k) => (properties.has(k) ? properties.get(k) : null),
    setProperty: (k, v) => {
      properties.set(k, String(v));
    },
    deleteProperty: (k) => {
      properties.delete(k);
    },
    getProperties: () => Object.fromEntries(properties),
  }),
};

const LockService = { getScriptLock: () => ({ tryLock: () => true, releaseLock: () => {} }) };

function makeSpreadsheet(locale, grid, rawOverrides) {
  const ss = {
    getId: () => '1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdEF',
    getSpreadsheetLocale: () => locale,
    getSpreadsheetTimeZone: () => 'Europe/Berlin',
    getSheetByName: (name) => (name === sheet.getName() ? sheet : null),
    getActiveRange: () => null,
  };
  const sheet = {
    getName: () => 'Invoices',
    getParent: () => ss,
    getLastColumn: () => grid[0].length,
    getLastRow: () => grid.length,
    getRange: (row, col, rows, cols) => {
      const pick = (f) => {
        const out = [];
        for (let r = row; r < row + rows; r++) {
          const line = [];
          for (let c = col; c < col + cols; c++) line.push(f(r, c));
          out.push(line);
        }
        return out;
      };
      return {
        getDisplayValues: () => pick((r, c) => String(grid[r - 1][c - 1])),
        getValues: () => pick((r, c) => (rawOverrides[`${r},${c}`] !== undefined ? rawOverrides[`${r},${c}`] : grid[r - 1][c - 1])),
        getRow: () => row,
        getLastRow: () => row + rows - 1,
        getSheet: () => sheet,
      };
    },
  };
  return { ss, sheet };
}

const HEADERS = ['Invoice No.', 'Customer', 'Amount', 'Currency', 'Due Date', 'Status', 'Paid', 'Notes'];

function enGrid() {
  return [
    HEADERS,
    ['INV-1041', 'Acme Coatings GmbH', '$1,200.00', 'USD', '1/10/2026', 'Sent', '', ''],
    ['INV-1042', 'Brightline Plating Ltd', '$4,250.00', 'USD', '1/12/2026', 'Paid', '$4,250.00', 'wire 14 Jan'],
    ['INV-1043', 'Nordic Anodize AB', '€980.50', '', '46032', 'Partially paid', '€400.00', 'Ünïcödé ✓'],
  ];
}

function deGrid(n) {
  const grid = [HEADERS];
  const statuses = ['Offen', 'Open', 'Paid', 'Overdue', 'Draft'];
  for (let i = 0; i < n; i++) {
    grid.push([`RE-2026-${String(i + 1).padStart(4, '0')}`, `Kunde ${i + 1}`, `${1 + (i % 9)}.234,50 €`, 'EUR', '10.01.2026', statuses[i % statuses.length], '', '']);
  }
  return grid;
}

function run() {
  const script = fs.readFileSync(scriptPath, 'utf8');
  let sheetData;
  if (scenario === 'edit' || scenario === 'retry') {
    const raw = { '2,5': new FixedDate(Date.UTC(2026, 0, 9, 23, 0, 0)), '3,5': new FixedDate(Date.UTC(2026, 0, 11, 23, 0, 0)), '4,5': 46032 };
    sheetData = makeSpreadsheet('en_US', enGrid(), raw);
  } else {
    const raw = {};
    for (let r = 2; r <= 451; r++) raw[`${r},5`] = new FixedDate(Date.UTC(2026, 0, 9, 23, 0, 0));
    sheetData = makeSpreadsheet('de_DE', deGrid(450), raw);
  }
  const { ss, sheet } = sheetData;
  const sandbox = {
    Date: FixedDate,
    Math,
    JSON,
    Object,
    String,
    Number,
    Error,
    console: { log: (m) => logs.push(String(m)), warn: (m) => logs.push(String(m)), error: (m) => logs.push(String(m)) },
    Utilities,
    UrlFetchApp,
    PropertiesService,
    LockService,
    SpreadsheetApp: { getActiveSpreadsheet: () => ss },
  };
  const ctx = vm.createContext(sandbox);
  vm.runInContext(script, ctx, { filename: scriptPath });
  ctx.__event = (first, last) => ({ range: sheet.getRange(first, 6, last - first + 1, 1) });
  switch (scenario) {
    case 'edit':
      vm.runInContext('relayOnEdit(__event(3, 3)); relayOnEdit(__event(1, 4));', ctx);
      break;
    case 'retry':
      responseCodes.push(503, 200);
      vm.runInContext('relayOnEdit(__event(2, 3)); relayFlushRetries();', ctx);
      break;
    case 'bulk':
      vm.runInContext('relayOnEdit(__event(2, 451));', ctx);
      break;
    case 'budget':
      vm.runInContext('RELAY.DAILY_FETCH_BUDGET = 1; relayOnEdit(__event(2, 451));', ctx);
      break;
    default:
      throw new Error('unknown scenario ' + scenario);
  }
  process.stdout.write(JSON.stringify({ requests, properties: Object.fromEntries(properties), logs }));
}

run();
