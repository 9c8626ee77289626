using Microsoft.Extensions.Options;
using OrleansRaft.Hosting.Configuration;

namespace OrleansRaft.Hosting.Tests;

public sealed class OptionsTests
{
    [Fact]
    public void The_defaults_are_valid_and_fail_over_within_a_second()
    {
        var options = new OrleansRaftOptions();

        Assert.Empty(OrleansRaftOptionsValidator.Validate(options));
        Assert.True(options.TickInterval * options.ElectionTicks * 2 <= TimeSpan.FromSeconds(1));
        Assert.Equal(TimeSpan.FromMilliseconds(1), options.GroupCommitWindow);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(50)]
    [InlineData(60)]
    public void A_group_commit_window_that_is_negative_or_not_shorter_than_a_tick_is_refused(int milliseconds)
    {
        var options = new OrleansRaftOptions { TickInterval = TimeSpan.FromMilliseconds(50), GroupCommitWindow = TimeSpan.FromMilliseconds(milliseconds) };

        var error = Assert.Single(OrleansRaftOptionsValidator.Validate(options));

        Assert.StartsWith("GroupCommitWindow must not be negative (0 turns it off) and must be shorter than TickInterval (00:00:00.0500000)", error);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(49)]
    public void A_group_commit_window_from_zero_to_under_a_tick_is_accepted(int milliseconds)
    {
        var options = new OrleansRaftOptions { TickInterval = TimeSpan.FromMilliseconds(50), GroupCommitWindow = TimeSpan.FromMilliseconds(milliseconds) };

        Assert.Empty(OrleansRaftOptionsValidator.Validate(options));
    }

    [Fact]
    public void Nonsense_is_refused_with_the_setting_named()
    {
        var options = new OrleansRaftOptions { ElectionTicks = 2, HeartbeatTicks = 2, StorageProviderName = " ", TickInterval = TimeSpan.Zero };

        var error = Assert.Throws<OrleansConfigurationException>(() => new OrleansRaftOptionsValidator(Options.Create(options)).ValidateConfiguration());

        Assert.Contains("ElectionTicks (2) must be greater than HeartbeatTicks (2)", error.Message);
        Assert.Contains("StorageProviderName", error.Message);
        Assert.Contains("TickInterval", error.Message);
    }
}
