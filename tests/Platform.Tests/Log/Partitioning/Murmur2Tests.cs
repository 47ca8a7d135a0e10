using System.Text;
using Platform.Core.Log.Partitioning;

namespace Platform.Tests.Log.Partitioning;

public sealed class Murmur2Tests
{
    // The vectors of Kafka's own UtilsTest.testMurmur2.
    [Theory]
    [InlineData("21", -973932308)]
    [InlineData("foobar", -790332482)]
    [InlineData("a-little-bit-long-string", -985981536)]
    [InlineData("a-little-bit-longer-string", -1486304829)]
    [InlineData("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971)]
    [InlineData("abc", 479470107)]
    public void Hash_matches_kafka(string key, int expected) =>
        Assert.Equal(expected, Murmur2.Hash(Encoding.ASCII.GetBytes(key)));

    // (hash & 0x7fffffff) % n, worked out from the Kafka vectors above.
    [Theory]
    [InlineData("foobar", 4, 2)]
    [InlineData("foobar", 7, 1357151166 % 7)]
    [InlineData("21", 3, (-973932308 & 0x7fffffff) % 3)]
    [InlineData("abc", 16, 479470107 % 16)]
    public void Partition_matches_kafkas_default_partitioner(string key, int partitions, int expected) =>
        Assert.Equal(expected, Murmur2.Partition(Encoding.ASCII.GetBytes(key), partitions));
}
