package io.tripod.proxy.check;

/** One finished check: outcome, HAProxy's info text ("Connection refused at step 1 of ..."), duration. */
public record CheckResult(CheckOutcome outcome, String info, long durationMs) {}
