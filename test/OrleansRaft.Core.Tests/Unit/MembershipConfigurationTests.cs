using System.Buffers.Binary;

namespace OrleansRaft.Core.Tests.Unit;

public sealed class MembershipConfigurationTests
{
    private static byte[] Encoded(int voters, int learners, params ulong[] ids)
    {
        var bytes = new byte[8 + 8 * ids.Length];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, voters);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4), learners);
        for (var i = 0; i < ids.Length; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(8 + 8 * i), ids[i]);
        }

        return bytes;
    }

    [Fact]
    public void EncodingRoundTrips()
    {
        var configuration = new MembershipConfiguration([3, 1, 2], [7, 5]);

        var decoded = MembershipConfiguration.Decode(configuration.Encode());

        Assert.Equal(configuration, decoded);
        Assert.Equal(configuration.GetHashCode(), decoded.GetHashCode());
        Assert.Equal([1UL, 2UL, 3UL], decoded.Voters);
        Assert.Equal([5UL, 7UL], decoded.Learners);
    }

    [Fact]
    public void TheEncodingIsLittleEndianCountsThenSortedIds()
    {
        var configuration = new MembershipConfiguration([2, 1], [9]);

        Assert.Equal(Encoded(2, 1, 1, 2, 9), configuration.Encode());
    }

    [Fact]
    public void TheEmptyConfigurationRoundTripsInEightBytes()
    {
        var bytes = MembershipConfiguration.Empty.Encode();

        Assert.Equal(8, bytes.Length);
        var decoded = MembershipConfiguration.Decode(bytes);
        Assert.True(decoded.IsEmpty);
        Assert.Equal(MembershipConfiguration.Empty, decoded);
    }

    [Fact]
    public void DuplicatesAndOrderDoNotMatter()
    {
        var a = new MembershipConfiguration([3, 1, 3, 2], [5, 5]);
        var b = new MembershipConfiguration([1, 2, 3], [5]);

        Assert.Equal(a, b);
        Assert.Equal(a.Encode(), b.Encode());
        Assert.Equal("voters=(1 2 3) learners=(5)", a.ToString());
    }

    [Fact]
    public void MembershipQueriesDistinguishVotersAndLearners()
    {
        var configuration = new MembershipConfiguration([1, 2, 3], [4]);

        Assert.True(configuration.IsVoter(2));
        Assert.False(configuration.IsVoter(4));
        Assert.True(configuration.IsLearner(4));
        Assert.False(configuration.IsLearner(1));
        Assert.True(configuration.Contains(4));
        Assert.False(configuration.Contains(5));
        Assert.Equal("voters=(1 2 3)", new MembershipConfiguration([3, 2, 1]).ToString());
    }

    [Fact]
    public void MemberIdZeroIsRejected()
    {
        var voter = Assert.Throws<ArgumentException>(() => new MembershipConfiguration([0, 1]));
        var learner = Assert.Throws<ArgumentException>(() => new MembershipConfiguration([1], [0]));

        Assert.Equal("Member id 0 is reserved to mean 'no member'.", voter.Message);
        Assert.Equal("Member id 0 is reserved to mean 'no member'.", learner.Message);
    }

    [Fact]
    public void AMemberCannotBeBothVoterAndLearner()
    {
        var error = Assert.Throws<ArgumentException>(() => new MembershipConfiguration([1, 2], [2, 3]));

        Assert.Equal("A member cannot be both voter and learner: 2.", error.Message);
    }

    [Theory]
    [InlineData(7)]
    [InlineData(0)]
    public void DecodingFewerThanEightBytesFails(int length)
    {
        var error = Assert.Throws<FormatException>(() => MembershipConfiguration.Decode(new byte[length]));

        Assert.Equal("A membership configuration needs at least 8 bytes.", error.Message);
    }

    [Fact]
    public void DecodingALengthThatDisagreesWithTheCountsFails()
    {
        var truncated = Encoded(2, 1, 1, 2, 3)[..^1];
        var tooLong = Encoded(1, 0, 1, 2);

        var first = Assert.Throws<FormatException>(() => MembershipConfiguration.Decode(truncated));
        var second = Assert.Throws<FormatException>(() => MembershipConfiguration.Decode(tooLong));

        Assert.Equal("A membership configuration of 31 bytes cannot hold 2 voters and 1 learners.", first.Message);
        Assert.Equal("A membership configuration of 24 bytes cannot hold 1 voters and 0 learners.", second.Message);
    }

    [Theory]
    [InlineData(-1, 0)]
    [InlineData(0, -1)]
    [InlineData(int.MaxValue, int.MaxValue)]
    public void DecodingImpossibleCountsFails(int voters, int learners)
    {
        var error = Assert.Throws<FormatException>(() => MembershipConfiguration.Decode(Encoded(voters, learners)));

        Assert.Equal($"A membership configuration of 8 bytes cannot hold {voters} voters and {learners} learners.", error.Message);
    }

    [Fact]
    public void DecodingIdsThatBreakTheInvariantFails()
    {
        Assert.Throws<ArgumentException>(() => MembershipConfiguration.Decode(Encoded(2, 0, 1, 0)));
        Assert.Throws<ArgumentException>(() => MembershipConfiguration.Decode(Encoded(1, 1, 4, 4)));
    }
}
