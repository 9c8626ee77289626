using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansRaft.Hosting.Configuration;
using OrleansRaft.KeyValue.Hosting.Diagnostics;

namespace OrleansRaft.KeyValue.Hosting;

/// <summary>
/// The silo's side of users of key-value groups: the token key (from <see cref="KvAuthOptions.TokenKey"/>, else the
/// admin token), the gate every key-value member asks, and the group whose roles govern administration.
/// </summary>
internal sealed class KvSiloAuth
{
    public KvSiloAuth(IOptions<KvAuthOptions> options, IOptions<OrleansRaftOptions> raft, IOptions<RaftGroupStartupOptions> groups, ILogger<KvSiloAuth> logger)
    {
        var settings = options.Value;
        var secret = string.IsNullOrEmpty(settings.TokenKey) ? raft.Value.AdminToken : settings.TokenKey;
        if (string.IsNullOrEmpty(secret))
        {
            KvAuthLogMessages.NoTokenKey(logger);
        }
        else
        {
            Signer = new KvTokenSigner(secret, settings.TokenTtl, settings.TimeProvider);
        }

        Gate = new KvRequestGate(Signer, logger);
        AdminGroup = !string.IsNullOrEmpty(settings.AdminGroup) ? settings.AdminGroup
            : groups.Value.Groups is [var first, ..] ? first.GroupId
            : "kv";
    }

    public KvTokenSigner? Signer { get; }

    public KvRequestGate Gate { get; }

    public string AdminGroup { get; }
}
