package io.tripod.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import org.junit.jupiter.api.Test;

/** CONFIG SET port / bind move the listening sockets, or fail and leave everything as it was. */
class ConfigRebindIT {
  @Test
  void configSetPortMovesTheListener() throws Exception {
    try (TripodInstance t = TripodInstance.start()) {
      int newPort = Ports.free();
      try (RawConnection c = new RawConnection(t.port)) {
        assertThat(c.callString("CONFIG", "SET", "port", String.valueOf(newPort))).isEqualTo("+OK\r\n");
        // The connection that asked stays open, as in Redis.
        assertThat(c.callString("PING")).isEqualTo("+PONG\r\n");
      }
      assertThat(ReplicationIT.call(newPort, "CONFIG", "GET", "port"))
          .isEqualTo("*2\r\n$4\r\nport\r\n$" + String.valueOf(newPort).length() + "\r\n" + newPort + "\r\n");
      assertThatThrownBy(() -> new Socket("127.0.0.1", t.port).close()).isInstanceOf(IOException.class);
    }
  }

  @Test
  void aPortInUseIsRefusedAndNothingChanges() throws Exception {
    try (TripodInstance t = TripodInstance.start();
        ServerSocket busy = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      String reply = ReplicationIT.call(t.port, "CONFIG", "SET", "port", String.valueOf(busy.getLocalPort()));
      assertThat(reply).isEqualTo("-ERR CONFIG SET failed (possibly related to argument 'port') - Unable to listen on this port\r\n");
      assertThat(ReplicationIT.call(t.port, "CONFIG", "GET", "port")).contains("\r\n" + t.port + "\r\n");
    }
  }

  @Test
  void configSetBindMovesToAnotherAddress() throws Exception {
    try (TripodInstance t = TripodInstance.start()) {
      assertThat(ReplicationIT.call(t.port, "CONFIG", "SET", "bind", "127.0.0.7")).isEqualTo("+OK\r\n");
      try (Socket s = new Socket("127.0.0.7", t.port)) {
        assertThat(s.isConnected()).isTrue();
      }
      assertThatThrownBy(() -> new Socket("127.0.0.1", t.port).close()).isInstanceOf(IOException.class);
    }
  }
}
