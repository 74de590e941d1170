// One-shot init of the compose stack's replica set `rs0` (run by the `mongo-init` service with mongosh).
// Idempotent: a set that is already initiated is left as it is, so `docker compose up` can be repeated.
const members = [
  { _id: 0, host: "mongo-1:27017", priority: 2 },
  { _id: 1, host: "mongo-2:27017", priority: 1 },
  { _id: 2, host: "mongo-3:27017", priority: 1 },
];
let initiated = true;
try {
  rs.status();
} catch (e) {
  if (e.codeName !== "NotYetInitialized") throw e;
  initiated = false;
}
if (!initiated) {
  rs.initiate({ _id: "rs0", members });
  print("replica set rs0 initiated");
} else {
  print("replica set rs0 already initiated");
}
// The servers start only after this exits 0: wait until a primary is elected so their first write succeeds.
for (let i = 0; i < 60; i++) {
  if (db.hello().isWritablePrimary || rs.status().members.some((m) => m.stateStr === "PRIMARY")) {
    print("primary elected");
    quit(0);
  }
  sleep(1000);
}
print("no primary after 60 s");
quit(1);
