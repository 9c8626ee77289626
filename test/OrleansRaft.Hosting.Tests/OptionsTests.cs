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
