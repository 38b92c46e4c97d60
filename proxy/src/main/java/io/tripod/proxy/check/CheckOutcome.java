package io.tripod.proxy.check;

/**
 * The result of one health check, by layer, with HAProxy's status codes and descriptions
 * ({@code check_status} / {@code check_desc} columns of {@code show stat}).
 */
public enum CheckOutcome {
  /** Not checked yet. */
  INI("INI", "Initializing", false),
  L4OK("L4OK", "Layer4 check passed", true),
  L4TOUT("L4TOUT", "Layer4 timeout", false),
  L4CON("L4CON", "Layer4 connection problem", false),
  L7OK("L7OK", "Layer7 check passed", true),
  L7RSP("L7RSP", "Layer7 invalid response", false),
  L7TOUT("L7TOUT", "Layer7 timeout", false);

  public final String code;
  public final String description;
  public final boolean success;

  CheckOutcome(String code, String description, boolean success) {
    this.code = code;
    this.description = description;
    this.success = success;
  }

  public boolean isLayer7() {
    return this == L7OK || this == L7RSP || this == L7TOUT;
  }
}
