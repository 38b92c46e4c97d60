package io.tripod.resp;

import java.lang.management.ManagementFactory;

/** Bytes allocated by the current thread, to check that hostile input cannot make us allocate. */
final class Allocation {
  private Allocation() {}

  private static final com.sun.management.ThreadMXBean BEAN =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  static long threadAllocatedBytes() {
    return BEAN.getThreadAllocatedBytes(Thread.currentThread().getId());
  }
}
