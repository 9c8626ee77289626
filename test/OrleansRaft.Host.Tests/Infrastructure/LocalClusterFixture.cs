namespace OrleansRaft.Host.Tests.Infrastructure;

/// <summary>One local cluster, launched as a user launches it, shared by the tests of <see cref="LocalClusterCollection"/>.</summary>
public sealed class LocalClusterFixture : IAsyncLifetime
{
    private readonly DataDir _dataDir = new();
    private LauncherProcess? _launcher;
    private KvConnection? _connection;

    internal LauncherProcess Launcher => _launcher ?? throw new InvalidOperationException("Not started.");

    internal KvConnection Connection => _connection ?? throw new InvalidOperationException("Not started.");

    /// <summary>Silos a test killed; the others use the status pages of the rest.</summary>
    internal HashSet<int> Killed { get; } = [];

    internal IEnumerable<SiloInfo> LiveSilos => Launcher.Silos.Where(s => !Killed.Contains(s.Number));

    public async Task InitializeAsync()
    {
        _launcher = await LauncherProcess.StartAsync(_dataDir.Path);
        _connection = await KvConnection.ConnectAsync(_launcher.DataDir);
    }

    public async Task DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }

        if (_launcher is not null)
        {
            await _launcher.DisposeAsync();
        }

        _dataDir.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class LocalClusterCollection : ICollectionFixture<LocalClusterFixture>
{
    public const string Name = "local cluster";
}
