/**
 * Invoice Relay: Google Sheets trigger script (Apps Script, V8 runtime).
 *
 * Posts edited invoice rows to Invoice Relay as JSON, signed with HMAC-SHA256:
 *
 *   POST <RELAY_URL>                      (…/webhooks/google-sheets)
 *   Content-Type: application/json; charset=utf-8
 *   X-Sheets-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + body)>
 *
 * Body: {"source":"google-sheets","version":1,"spreadsheetId":…,"sheet":…,"locale":…,
 *        "timeZone":…,"trigger":…,"sentAt":<unix ms>,"rows":[{"row":<n>,"values":{<header>:<cell>}}]}
 * Cells are what the sheet displays ("$4,250.00"), except date cells, sent as "yyyy-MM-dd".
 *
 * Setup (see docs/platforms/google-sheets.md):
 *   1. Extensions > Apps Script, paste this file.
 *   2. Project Settings > Script properties: RELAY_URL, RELAY_SECRET (the relay's
 *      [sources.google-sheets] secrets entry), optionally RELAY_SHEET (default "Invoices").
 *   3. Run relaySetup() once and grant access: it installs the onEdit / onChange triggers
 *      and a 10-minute retry trigger. (Simple onEdit triggers cannot use UrlFetchApp.)
 *
 * Quotas (UrlFetchApp 20 000 calls/day consumer, 100 000 Workspace; 6 min per run): rows
 * are sent in chunks of at most RELAY.MAX_ROWS_PER_POST rows / RELAY.MAX_BODY_BYTES bytes,
 * at most RELAY.DAILY_FETCH_BUDGET posts a day and RELAY.RUNTIME_BUDGET_MS per run; what
 * is not sent (budget, lock busy, relay down) is queued in script properties as row
 * numbers and re-read and re-sent by relayFlushRetries(). Rows are snapshots, so a late
 * re-send carries the row as it is then.
 */

var RELAY = {
  DEFAULT_SHEET: 'Invoices',
  HEADER_ROW: 1,
  MAX_ROWS_PER_POST: 200,
  MAX_BODY_BYTES: 512 * 1024,
  DAILY_FETCH_BUDGET: 19000,
  RUNTIME_BUDGET_MS: 4.5 * 60 * 1000,
  LOCK_WAIT_MS: 20000,
  QUEUE_PREFIX: 'relay.retry.',
  QUEUE_MAX_ENTRIES: 300,
  RESCAN_FLAG: 'relay.rescan',
  COUNT_PREFIX: 'relay.fetches.'
};

/** Installs the triggers (run once, by the account whose quota the posts use). */
function relaySetup() {
  var ss = SpreadsheetApp.getActiveSpreadsheet();
  ScriptApp.getProjectTriggers().forEach(function (t) {
    if (['relayOnEdit', 'relayOnChange', 'relayFlushRetries'].indexOf(t.getHandlerFunction()) >= 0) {
      ScriptApp.deleteTrigger(t);
    }
  });
  ScriptApp.newTrigger('relayOnEdit').forSpreadsheet(ss).onEdit().create();
  ScriptApp.newTrigger('relayOnChange').forSpreadsheet(ss).onChange().create();
  ScriptApp.newTrigger('relayFlushRetries').timeBased().everyMinutes(10).create();
}

/** Installable onEdit: the edited (or pasted) rows. */
function relayOnEdit(e) {
  if (!e || !e.range) return;
  var sheet = e.range.getSheet();
  if (sheet.getName() !== relaySheetName_()) return;
  var first = Math.max(e.range.getRow(), RELAY.HEADER_ROW + 1);
  var last = e.range.getLastRow();
  if (last < first) return;
  relayPostRows_(sheet.getParent(), sheet, relayRange_(first, last), 'edit');
}

/** Installable onChange: inserted rows and pastes onEdit does not report. */
function relayOnChange(e) {
  if (!e || (e.changeType !== 'INSERT_ROW' && e.changeType !== 'OTHER')) return;
  var ss = e.source || SpreadsheetApp.getActiveSpreadsheet();
  var range = ss.getActiveRange();
  if (!range || range.getSheet().getName() !== relaySheetName_()) return;
  var first = Math.max(range.getRow(), RELAY.HEADER_ROW + 1);
  var last = range.getLastRow();
  if (last < first) return;
  relayPostRows_(ss, range.getSheet(), relayRange_(first, last), 'change');
}

/** Time-driven: re-sends queued rows (and every row after a queue overflow). */
function relayFlushRetries() {
  var ss = SpreadsheetApp.getActiveSpreadsheet();
  var sheet = ss.getSheetByName(relaySheetName_());
  if (!sheet) return;
  var props = PropertiesService.getScriptProperties();
  var lock = LockService.getScriptLock();
  if (!lock.tryLock(RELAY.LOCK_WAIT_MS)) return;
  var rows;
  try {
    var all = props.getProperties();
    var set = {};
    Object.keys(all).forEach(function (k) {
      if (k.indexOf(RELAY.QUEUE_PREFIX) !== 0) return;
      relayDecodeRows_(all[k]).forEach(function (r) { set[r] = true; });
      props.deleteProperty(k);
    });
    if (all[RELAY.RESCAN_FLAG]) {
      props.deleteProperty(RELAY.RESCAN_FLAG);
      relayRange_(RELAY.HEADER_ROW + 1, sheet.getLastRow()).forEach(function (r) { set[r] = true; });
    }
    rows = Object.keys(set).map(Number).filter(function (r) { return r > RELAY.HEADER_ROW; });
    rows.sort(function (a, b) { return a - b; });
  } finally {
    lock.releaseLock();
  }
  if (rows.length) relayPostRows_(ss, sheet, rows, 'retry');
}

/** Reads `rows` of `sheet`, posts them in chunks, queues whatever could not be sent. */
function relayPostRows_(ss, sheet, rows, trigger) {
  var lock = LockService.getScriptLock();
  if (!lock.tryLock(RELAY.LOCK_WAIT_MS)) {
    relayQueue_(rows);
    return;
  }
  try {
    var started = Date.now();
    var chunks = relayChunks_(relayReadRows_(ss, sheet, rows));
    for (var i = 0; i < chunks.length; i++) {
      if (Date.now() - started > RELAY.RUNTIME_BUDGET_MS || !relaySpendFetch_()) {
        for (var j = i; j < chunks.length; j++) relayQueue_(chunks[j].map(function (r) { return r.row; }));
        return;
      }
      var result = relaySend_(ss, sheet, chunks[i], trigger);
      if (result === 'retry') relayQueue_(chunks[i].map(function (r) { return r.row; }));
    }
  } finally {
    lock.releaseLock();
  }
}

/** Posts one chunk. Returns 'ok', 'retry' (408, 429, 5xx, network) or 'drop' (other 4xx). */
function relaySend_(ss, sheet, rows, trigger) {
  var props = PropertiesService.getScriptProperties();
  var url = props.getProperty('RELAY_URL');
  var secret = props.getProperty('RELAY_SECRET');
  if (!url || !secret) throw new Error('Invoice Relay: set RELAY_URL and RELAY_SECRET in Script properties');
  var body = JSON.stringify({
    source: 'google-sheets',
    version: 1,
    spreadsheetId: ss.getId(),
    sheet: sheet.getName(),
    locale: ss.getSpreadsheetLocale(),
    timeZone: ss.getSpreadsheetTimeZone(),
    trigger: trigger,
    sentAt: Date.now(),
    rows: rows
  });
  var t = Math.floor(Date.now() / 1000);
  var response;
  try {
    response = UrlFetchApp.fetch(url, {
      method: 'post',
      contentType: 'application/json; charset=utf-8',
      payload: Utilities.newBlob(body).getBytes(),
      headers: { 'X-Sheets-Signature': relaySignatureHeader_(secret, t, body) },
      muteHttpExceptions: true,
      followRedirects: false
    });
  } catch (err) {
    console.warn('Invoice Relay: post failed, queued: ' + err);
    return 'retry';
  }
  var code = response.getResponseCode();
  if (code >= 200 && code < 300) return 'ok';
  if (code === 408 || code === 429 || code >= 500) return 'retry';
  console.error('Invoice Relay refused the post (' + code + '): ' + response.getContentText().slice(0, 300));
  return 'drop';
}

/** `t=<t>,v1=<hex>`: HMAC-SHA256 over the UTF-8 bytes of `t + "." + body`. */
function relaySignatureHeader_(secret, t, body) {
  var mac = Utilities.computeHmacSha256Signature(
    Utilities.newBlob(t + '.' + body).getBytes(),
    Utilities.newBlob(secret).getBytes());
  return 't=' + t + ',v1=' + relayHex_(mac);
}

/** Hex of Apps Script's signed bytes (-128..127): `(b + 256) % 256`, two digits each. */
function relayHex_(bytes) {
  var out = '';
  for (var i = 0; i < bytes.length; i++) {
    var h = ((bytes[i] + 256) % 256).toString(16);
    out += h.length === 1 ? '0' + h : h;
  }
  return out;
}

/** [{row, values}] for the given row numbers, cells keyed by header name. */
function relayReadRows_(ss, sheet, rows) {
  var lastCol = sheet.getLastColumn();
  if (lastCol < 1 || !rows.length) return [];
  var headers = sheet.getRange(RELAY.HEADER_ROW, 1, 1, lastCol).getDisplayValues()[0];
  var tz = ss.getSpreadsheetTimeZone();
  var out = [];
  relayRuns_(rows).forEach(function (run) {
    var range = sheet.getRange(run[0], 1, run[1] - run[0] + 1, lastCol);
    var shown = range.getDisplayValues();
    var raw = range.getValues();
    for (var i = 0; i < shown.length; i++) {
      var values = {};
      for (var c = 0; c < lastCol; c++) {
        var name = String(headers[c]).trim();
        if (!name) continue;
        var v = raw[i][c];
        values[name] = (v instanceof Date) ? Utilities.formatDate(v, tz, 'yyyy-MM-dd') : shown[i][c];
      }
      out.push({ row: run[0] + i, values: values });
    }
  });
  return out;
}

/** Splits rows into posts of at most MAX_ROWS_PER_POST rows and about MAX_BODY_BYTES. */
function relayChunks_(rows) {
  var chunks = [];
  var current = [];
  var size = 0;
  rows.forEach(function (r) {
    var n = JSON.stringify(r).length + 1;
    if (current.length && (current.length >= RELAY.MAX_ROWS_PER_POST || size + n > RELAY.MAX_BODY_BYTES)) {
      chunks.push(current);
      current = [];
      size = 0;
    }
    current.push(r);
    size += n;
  });
  if (current.length) chunks.push(current);
  return chunks;
}

/** Counts one UrlFetch call against today's budget; false when it is spent. */
function relaySpendFetch_() {
  var props = PropertiesService.getScriptProperties();
  var key = RELAY.COUNT_PREFIX + Utilities.formatDate(new Date(), 'UTC', 'yyyy-MM-dd');
  var used = Number(props.getProperty(key) || '0');
  if (used >= RELAY.DAILY_FETCH_BUDGET) return false;
  props.setProperty(key, String(used + 1));
  if (used === 0) {
    Object.keys(props.getProperties()).forEach(function (k) {
      if (k.indexOf(RELAY.COUNT_PREFIX) === 0 && k !== key) props.deleteProperty(k);
    });
  }
  return true;
}

/** Queues row numbers for relayFlushRetries (one property per entry: no read-modify-write). */
function relayQueue_(rows) {
  if (!rows.length) return;
  var props = PropertiesService.getScriptProperties();
  var entries = Object.keys(props.getProperties()).filter(function (k) {
    return k.indexOf(RELAY.QUEUE_PREFIX) === 0;
  }).length;
  if (entries >= RELAY.QUEUE_MAX_ENTRIES) {
    props.setProperty(RELAY.RESCAN_FLAG, '1');
    return;
  }
  var key = RELAY.QUEUE_PREFIX + Date.now() + '.' + Math.floor(Math.random() * 1e9);
  props.setProperty(key, relayEncodeRows_(rows));
}

/** [2,3,4,9] -> "2-4,9". */
function relayEncodeRows_(rows) {
  return relayRuns_(rows).map(function (r) { return r[0] === r[1] ? String(r[0]) : r[0] + '-' + r[1]; }).join(',');
}

/** "2-4,9" -> [2,3,4,9]. */
function relayDecodeRows_(text) {
  var out = [];
  String(text).split(',').forEach(function (part) {
    var ends = part.split('-').map(Number);
    if (!(ends[0] > 0)) return;
    var last = ends.length > 1 && ends[1] >= ends[0] ? ends[1] : ends[0];
    for (var r = ends[0]; r <= last; r++) out.push(r);
  });
  return out;
}

/** Sorted, de-duplicated row numbers as [first, last] runs. */
function relayRuns_(rows) {
  var sorted = rows.slice().sort(function (a, b) { return a - b; });
  var runs = [];
  sorted.forEach(function (r) {
    var last = runs[runs.length - 1];
    if (last && r <= last[1] + 1) last[1] = Math.max(last[1], r);
    else runs.push([r, r]);
  });
  return runs;
}

function relayRange_(first, last) {
  var out = [];
  for (var r = first; r <= last; r++) out.push(r);
  return out;
}

function relaySheetName_() {
  return PropertiesService.getScriptProperties().getProperty('RELAY_SHEET') || RELAY.DEFAULT_SHEET;
}
