// Business Rule "Invoice Relay" on your invoice table (x_invoice, fm_invoice, ...):
// When: async, Insert and Update checked (add a second, "after" Delete rule with the same
// script to report deletions). Advanced: this script.
(function executeRule(current, previous /*null when async*/) {
    var relay = new InvoiceRelay();
    relay.send(current.getTableName(), [relay.record(current, current.operation())]);
})(current, previous);
