package io.tripod.proxy.check;

/**
 * The rise/fall health counter of one server, exactly as HAProxy's {@code check.c} (reference
 * §3.5): {@code h} in [0, rise+fall-1]; a success increments it and jumps to rise+fall-1 once it
 * reaches rise (server UP); a failure decrements it and drops to 0 once below rise (server DOWN
 * only at 0). A checked server starts UP with h = rise, so its first failure marks it DOWN.
 * Not thread-safe: owned by the server's check task.
 */
public final class HealthState {
  /** A state change caused by a check result. */
  public enum Transition { NONE, WENT_UP, WENT_DOWN }

  public final int rise;
  public final int fall;
  private int health;
  private boolean up;

  public HealthState(int rise, int fall) {
    this.rise = rise;
    this.fall = fall;
    this.health = rise;
    this.up = true;
  }

  public int health() {
    return health;
  }

  public boolean isUp() {
    return up;
  }

  public int max() {
    return rise + fall - 1;
  }

  public Transition onSuccess() {
    if (health < max()) {
      health++;
      if (health >= rise) {
        health = max();
      }
    }
    if (!up && health >= rise) {
      up = true;
      return Transition.WENT_UP;
    }
    return Transition.NONE;
  }

  public Transition onFailure() {
    if (health > 0) {
      health--;
      if (health < rise) {
        health = 0;
      }
    }
    if (up && health == 0) {
      up = false;
      return Transition.WENT_DOWN;
    }
    return Transition.NONE;
  }

  public Transition apply(boolean success) {
    return success ? onSuccess() : onFailure();
  }

  /** Leaving maintenance: "start OK but check immediately" (h = rise, UP). */
  public void reset() {
    this.up = true;
    this.health = rise;
  }

  /** Forces a state (admin "set server health", or leaving maintenance). */
  public void force(boolean up) {
    this.up = up;
    this.health = up ? max() : 0;
  }

  /** The {@code status} column for a checked, non-maintenance server. */
  public String statusText() {
    if (up) {
      return health >= max() ? "UP" : "UP " + (health - rise + 1) + "/" + fall;
    }
    return health == 0 ? "DOWN" : "DOWN " + health + "/" + rise;
  }

  /** True while the server is between fully UP and fully DOWN (uses fastinter). */
  public boolean transitional() {
    return up ? health < max() : health > 0;
  }
}
