package io.tripod.server.commands;

import static org.assertj.core.api.Assertions.assertThat;

import io.tripod.resp.SplitArgs;
import io.tripod.server.command.CommandSpec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * COMMAND GETKEYS logic over key specs (index/keyword begin searches, range/keynum finders) and
 * the special cases, checked against what redis-server 7.0.15 answers for the same lines.
 */
class CommandKeysTest {
  private static CommandSpec spec(String name) {
    return new CommandSpec(name, null, -1, 0, 0, 0, 0, new String[0], null);
  }

  private static List<String> keys(String line) {
    List<byte[]> parts = SplitArgs.split(line.getBytes(StandardCharsets.UTF_8));
    byte[][] argv = parts.toArray(new byte[0][]);
    List<CommandCommand.KeyRef> refs =
        CommandCommand.keysOf(spec(new String(argv[0], StandardCharsets.UTF_8).toLowerCase()), argv);
    if (refs == null) {
      return null;
    }
    List<String> out = new ArrayList<>();
    for (CommandCommand.KeyRef r : refs) {
      out.add(new String(argv[r.pos()], StandardCharsets.UTF_8));
    }
    return out;
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "get k|k",
      "mset a 1 b 2|a b",
      "eval \"\" 2 a b c|a b",
      "zunionstore d 2 a b|d a b",
      "xread COUNT 2 STREAMS s1 s2 0 0|s1 s2",
      "georadius k 0 0 1 km STORE d|k d",
      "migrate h 1 \"\" 0 5 KEYS a b|a b",
      "migrate h 1 k 0 5|k",
      "lmpop 2 a b LEFT|a b",
      "sort k BY x STORE y|k y",
      "sort k LIMIT 0 1 GET store|k",
      "blpop a b 0|a b",
      "xreadgroup GROUP g c STREAMS s1 0|s1",
      "zinterstore d 3 a b c WEIGHTS 1 2 3|d a b c",
      "rename a b|a b",
      "bitop and d a b c|d a b c",
      "sintercard 2 a b LIMIT 1|a b",
  })
  void keysMatchRedis(String line, String expected) {
    assertThat(keys(line)).containsExactly(expected.split(" "));
  }

  @Test
  void keynumBeyondTheArgumentsIsInvalid() {
    assertThat(keys("eval \"\" 5 a b c")).isNull();
    assertThat(keys("zunionstore d x a")).isNull();
  }

  @Test
  void setAndBitfieldFlagsDependOnArguments() {
    byte[][] set = {"set".getBytes(), "k".getBytes(), "v".getBytes()};
    assertThat(CommandCommand.keysOf(spec("set"), set).get(0).flags())
        .containsExactly("OW", "update");
    byte[][] setGet = {"set".getBytes(), "k".getBytes(), "v".getBytes(), "GET".getBytes()};
    assertThat(CommandCommand.keysOf(spec("set"), setGet).get(0).flags())
        .containsExactly("RW", "access", "update");
    byte[][] bfGet = {"bitfield".getBytes(), "k".getBytes(), "GET".getBytes(), "u8".getBytes(),
        "0".getBytes()};
    assertThat(CommandCommand.keysOf(spec("bitfield"), bfGet).get(0).flags())
        .containsExactly("RO", "access");
    byte[][] bfSet = {"bitfield".getBytes(), "k".getBytes(), "SET".getBytes(), "u8".getBytes(),
        "0".getBytes(), "1".getBytes()};
    assertThat(CommandCommand.keysOf(spec("bitfield"), bfSet).get(0).flags())
        .containsExactly("RW", "access", "update");
  }

  @Test
  void jemallocSizeClasses() {
    assertThat(ServerCommands.jemallocSize(1)).isEqualTo(8);
    assertThat(ServerCommands.jemallocSize(9)).isEqualTo(16);
    assertThat(ServerCommands.jemallocSize(25)).isEqualTo(32);
    assertThat(ServerCommands.jemallocSize(33)).isEqualTo(48);
    assertThat(ServerCommands.jemallocSize(68)).isEqualTo(80);
    assertThat(ServerCommands.jemallocSize(129)).isEqualTo(160);
    assertThat(ServerCommands.jemallocSize(257)).isEqualTo(320);
    assertThat(ServerCommands.jemallocSize(1025)).isEqualTo(1280);
    assertThat(ServerCommands.jemallocSize(4096)).isEqualTo(4096);
  }

  @Test
  void humanSizes() {
    assertThat(SystemStats.human(0)).isEqualTo("0B");
    assertThat(SystemStats.human(1023)).isEqualTo("1023B");
    assertThat(SystemStats.human(916592)).isEqualTo("895.11K");
    assertThat(SystemStats.human(6713344)).isEqualTo("6.40M");
    assertThat(SystemStats.human(25325268992L)).isEqualTo("23.59G");
  }

  @Test
  void everyRedisCommandHasMetadataAndASummary() {
    for (String name : List.of("get", "client|kill", "xinfo|stream", "command|docs", "zunion")) {
      CommandMeta.Meta m = CommandMeta.get(name);
      assertThat(m).as(name).isNotNull();
      assertThat(m.summary).as(name).isNotBlank();
      assertThat(m.group).as(name).isNotBlank();
    }
  }
}
