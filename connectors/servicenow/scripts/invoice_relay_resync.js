// Fix script "Invoice Relay resync": re-sends every matching invoice in batches of
// invoice_relay.batch records per request (the relay ignores versions it already has).
// Edit the table and the encoded query, then run it once.
(function resync(table, encodedQuery) {
    var relay = new InvoiceRelay();
    var gr = new GlideRecord(table);
    if (encodedQuery) {
        gr.addEncodedQuery(encodedQuery);
    }
    gr.orderBy('sys_created_on');
    gr.query();
    var batch = [];
    var sent = 0;
    var failed = 0;
    var flush = function () {
        if (relay.send(table, batch)) {
            sent += batch.length;
        } else {
            failed += batch.length;
        }
        batch = [];
    };
    while (gr.next()) {
        batch.push(relay.record(gr, 'resync'));
        if (batch.length >= relay.batch) {
            flush();
        }
    }
    if (batch.length) {
        flush();
    }
    gs.info('Invoice Relay resync of ' + table + ': ' + sent + ' sent, ' + failed + ' failed');
})('x_invoice', 'stateNOT INdraft');
