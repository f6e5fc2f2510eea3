// The Worker of bench/shape-floor/main.ts: it answers at once.
declare const self: Worker;
self.postMessage("up");
