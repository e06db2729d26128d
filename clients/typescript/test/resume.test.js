// The merge rules of docs/sdk.md ("Resume") on their own, without a server: what MessageOrder hands over, and when
// it asks for a catch-up. The SDK's tests against a real server (sdk.test.js) show the same end to end.
import { test } from "node:test";
import assert from "node:assert/strict";
import { MessageOrder } from "../dist/resume.js";

function order() {
  const handedOver = [];
  let catchUpsAsked = 0;
  const merge = new MessageOrder({ message: (m) => handedOver.push(m.id), catchUpNeeded: () => catchUpsAsked++ });
  return { merge, handedOver, catchUpsAsked: () => catchUpsAsked };
}

const message = (id, sequence, conversationId = "c1") => ({ id, sequence, conversationId });
const push = (id, sequence, previousSequence, conversationId = "c1") =>
  ({ message: message(id, sequence, conversationId), conversation: null, previousSequence });

test("a push that follows on is handed over at once, and a repeat of it is not", () => {
  const { merge, handedOver, catchUpsAsked } = order();
  merge.push(push("a", 2, 0));
  merge.push(push("b", 4, 2));  // 3 was a read receipt: sequences have gaps
  merge.push(push("a", 2, 0));
  merge.synced(message("b", 4));
  assert.deepEqual(handedOver, ["a", "b"]);
  assert.equal(catchUpsAsked(), 0);
});

test("a push after a missed one waits for the sync that brings the missed one, then both go in order", () => {
  const { merge, handedOver, catchUpsAsked } = order();
  merge.push(push("a", 2, 0));
  merge.push(push("c", 4, 3));
  assert.deepEqual(handedOver, ["a"]);
  assert.equal(catchUpsAsked(), 1);

  const catchUp = merge.catchUpStarted();
  merge.synced(message("a", 2));
  merge.synced(message("b", 3));
  merge.synced(message("c", 4));
  merge.catchUpEnded(catchUp);
  assert.deepEqual(handedOver, ["a", "b", "c"]);
});

test("a held push whose predecessor the user cannot see goes once a sync started after it has ended", () => {
  const { merge, handedOver, catchUpsAsked } = order();
  // Added to a group: the first message the user may see follows one from before they joined.
  const during = merge.catchUpStarted();
  merge.push(push("x", 9, 8));
  merge.catchUpEnded(during);
  assert.deepEqual(handedOver, [], "the catch-up running when it was held may have read the feed before its commit");
  assert.equal(catchUpsAsked(), 2);

  merge.catchUpEnded(merge.catchUpStarted());
  assert.deepEqual(handedOver, ["x"]);
});

test("conversations are ordered each on its own", () => {
  const { merge, handedOver } = order();
  merge.push(push("a1", 1, 0, "a"));
  merge.push(push("b2", 2, 1, "b"));  // b's first is missing: held
  merge.push(push("a2", 2, 1, "a"));
  const catchUp = merge.catchUpStarted();
  merge.synced(message("b1", 1, "b"));
  merge.catchUpEnded(catchUp);
  assert.deepEqual(handedOver, ["a1", "a2", "b1", "b2"]);
});

test("a live edit may pass for a message handed over or older, not for one still to come", () => {
  const { merge } = order();
  merge.push(push("a", 5, 0));
  merge.push(push("c", 9, 7));  // 7 is missing: c is held
  assert.equal(merge.mayChange(message("old", 3)), true, "paged in over REST: older than what was handed over");
  assert.equal(merge.mayChange(message("a", 5)), true);
  assert.equal(merge.mayChange(message("c", 9)), false, "held: its catch-up brings the later state");
  assert.equal(merge.mayChange(message("x", 1, "unseen")), false, "a conversation this session has handed nothing over in");
});
