// Typing signals stay inside the server's typing budget however fast the user types (docs/sdk.md, "Typing").
import { test } from "node:test";
import assert from "node:assert/strict";
import { Typist, typingTimings } from "../dist/typing.js";

function typist(t) {
  t.mock.timers.enable({ apis: ["setTimeout", "Date"] });
  const signals = [];
  return { typist: new Typist((method, conversationId) => signals.push(`${method} ${conversationId}`)), signals };
}

test("a burst of keys is one typingStart, and a pause ends it with one typingStop", (t) => {
  const { typist: user, signals } = typist(t);
  for (let key = 0; key < 20; key++) {
    user.keyPressed("c1");
    t.mock.timers.tick(100);
  }
  assert.deepEqual(signals, ["typingStart c1"]);
  t.mock.timers.tick(typingTimings.stopAfterMs);
  assert.deepEqual(signals, ["typingStart c1", "typingStop c1"]);
});

test("typing that goes on is started again before the server forgets it, not on every key", (t) => {
  const { typist: user, signals } = typist(t);
  for (let second = 0; second < 12; second++) {
    user.keyPressed("c1");
    t.mock.timers.tick(1_000);
  }
  assert.deepEqual(signals, ["typingStart c1", "typingStart c1", "typingStart c1"], "at 0, 5 and 10 s");
});

test("sending stops typing at once, and only where the user was typing", (t) => {
  const { typist: user, signals } = typist(t);
  user.keyPressed("c1");
  user.stopped("c1");
  user.stopped("c2");
  t.mock.timers.tick(typingTimings.stopAfterMs);
  assert.deepEqual(signals, ["typingStart c1", "typingStop c1"]);
});
