namespace OrleansRaft.Core.Tests.Unit;

public sealed class RaftOptionsTests
{
    private static RaftOptions Valid() => new() { Id = 1 };

    [Fact]
    public void TheDefaultsWithAnIdAreValid()
    {
        Valid().Validate();
    }

    [Theory]
    [InlineData("Id=0", "RaftOptions.Id must not be 0: 0 means 'no member'.")]
    [InlineData("HeartbeatTicks=0", "RaftOptions.HeartbeatTicks must be positive, not 0.")]
    [InlineData("HeartbeatTicks=-3", "RaftOptions.HeartbeatTicks must be positive, not -3.")]
    [InlineData("ElectionTicks=1", "RaftOptions.ElectionTicks (1) must be greater than HeartbeatTicks (1): a leader must be able to send a heartbeat before its followers time out.")]
    [InlineData("HeartbeatTicks=10", "RaftOptions.ElectionTicks (10) must be greater than HeartbeatTicks (10): a leader must be able to send a heartbeat before its followers time out.")]
    [InlineData("ElectionTicks=-5", "RaftOptions.ElectionTicks (-5) must be greater than HeartbeatTicks (1): a leader must be able to send a heartbeat before its followers time out.")]
    [InlineData("ElectionTicks=1073741824", "RaftOptions.ElectionTicks (1073741824) must be at most 1073741823: election timeouts are drawn from [ElectionTicks, 2*ElectionTicks), which must not overflow.")]
    [InlineData("MaxInflightMessages=0", "RaftOptions.MaxInflightMessages must be positive, not 0.")]
    [InlineData("MaxSizePerMessage=0", "RaftOptions.MaxSizePerMessage must be positive.")]
    [InlineData("MaxCommittedSizePerReady=0", "RaftOptions.MaxCommittedSizePerReady must be positive.")]
    public void EachNonsensicalSettingIsRejectedWithAMessageNamingIt(string setting, string message)
    {
        var options = Valid();
        var value = long.Parse(setting[(setting.IndexOf('=') + 1)..]);
        switch (setting[..setting.IndexOf('=')])
        {
            case "Id": options.Id = (ulong)value; break;
            case "HeartbeatTicks": options.HeartbeatTicks = (int)value; break;
            case "ElectionTicks": options.ElectionTicks = (int)value; break;
            case "MaxInflightMessages": options.MaxInflightMessages = (int)value; break;
            case "MaxSizePerMessage": options.MaxSizePerMessage = (ulong)value; break;
            case "MaxCommittedSizePerReady": options.MaxCommittedSizePerReady = (ulong)value; break;
            default: throw new ArgumentOutOfRangeException(nameof(setting), setting, "No such setting in this test.");
        }

        var error = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void AMissingRandomSourceIsRejectedByName()
    {
        var options = Valid();
        options.Random = null!;

        var error = Assert.Throws<ArgumentNullException>(options.Validate);
        Assert.Equal("RaftOptions.Random", error.ParamName);
    }

    [Fact]
    public void TheLargestElectionTimeoutThatCannotOverflowIsAccepted()
    {
        var options = Valid();
        options.ElectionTicks = int.MaxValue / 2;

        options.Validate();
        var node = new RaftNode(options, new MemoryLogStore(new MembershipConfiguration([1, 2, 3])));
        Assert.InRange(node.RandomizedElectionTimeout, int.MaxValue / 2, int.MaxValue - 1);
    }

    [Fact]
    public void ANoUncommittedBoundAndAZeroAppliedIndexAreValid()
    {
        var options = Valid();
        options.MaxUncommittedEntriesSize = 0;
        options.Applied = 0;

        options.Validate();
    }

    [Fact]
    public void TheNodeValidatesItsOptionsBeforeAnythingElse()
    {
        var options = Valid();
        options.HeartbeatTicks = 0;

        var error = Assert.Throws<ArgumentException>(() => new RaftNode(options, new MemoryLogStore()));
        Assert.Equal("RaftOptions.HeartbeatTicks must be positive, not 0.", error.Message);
    }

    [Fact]
    public void AnAppliedIndexPastThePersistedCommitIndexIsRejected()
    {
        var storage = new MemoryLogStore(new MembershipConfiguration([1]));
        storage.Append([new Entry(1, 1, EntryType.Normal, default), new Entry(1, 2, EntryType.Normal, default)]);
        storage.SetHardState(new HardState(1, 1, 1));
        var options = Valid();
        options.Applied = 2;

        var error = Assert.Throws<ArgumentException>(() => new RaftNode(options, storage));
        Assert.Equal("RaftOptions.Applied (2) is past the persisted commit index (1).", error.Message);
    }

    [Fact]
    public void APersistedCommitIndexPastThePersistedLogIsRejected()
    {
        var storage = new MemoryLogStore(new MembershipConfiguration([1]));
        storage.SetHardState(new HardState(1, 1, 3));

        var error = Assert.Throws<InvalidOperationException>(() => new RaftNode(Valid(), storage));
        Assert.Equal("The persisted commit index 3 is past the last persisted index 0: the log is corrupt.", error.Message);
    }
}
