namespace OrleansRaft.KeyValue.Tests;

/// <summary>
/// The user tokens silos issue (<see cref="KvTokenSigner"/>) and the peek a silo makes at a request's user
/// (<see cref="KvCodec.TryPeekUser"/>) before admitting it.
/// </summary>
public sealed class TokenTests
{
    private static readonly TimeSpan Ttl = TimeSpan.FromMinutes(5);

    [Fact]
    public void A_token_names_its_group_user_and_revision_until_it_expires()
    {
        var clock = new Clock();
        var signer = new KvTokenSigner("cluster-secret", Ttl, clock);
        var token = signer.Issue("kv", "alice", 7);
        Assert.Equal(("alice", 7UL, clock.GetUtcNow() + Ttl), (token.User, token.AuthRevision, token.ExpiresAt));
        Assert.DoesNotContain(token.Token, token.ToString(), StringComparison.Ordinal);

        Assert.True(signer.TryVerify(token.Token, "kv", out var user, out var revision));
        Assert.Equal(("alice", 7UL), (user, revision));
        Assert.False(signer.TryVerify(token.Token, "other", out _, out _));

        clock.Advance(Ttl);
        Assert.False(signer.TryVerify(token.Token, "kv", out _, out _));
    }

    [Fact]
    public void A_token_of_another_secret_a_changed_claim_or_garbage_is_refused()
    {
        var signer = new KvTokenSigner("cluster-secret", Ttl);
        var token = signer.Issue("kv", "alice", 7).Token;
        Assert.False(new KvTokenSigner("another-secret", Ttl).TryVerify(token, "kv", out _, out _));

        // The claims are readable, not forgeable: root's claims under alice's MAC are refused.
        var root = signer.Issue("kv", "root", 7).Token;
        var forged = root[..root.LastIndexOf('.')] + token[token.LastIndexOf('.')..];
        Assert.False(signer.TryVerify(forged, "kv", out _, out _));
        foreach (var bad in new[] { "", "ort1.", "ort1.x.y", "ort1.!!!.???", token + "A", "root" })
        {
            Assert.False(signer.TryVerify(bad, "kv", out _, out _));
        }

        Assert.False(signer.TryVerify(null, "kv", out _, out _));
    }

    [Fact]
    public void A_peek_finds_the_user_of_a_command_with_or_without_a_session_and_of_a_query()
    {
        var put = new PutRequest(KvBytes.From("k"), KvBytes.From("v"));
        var asRoot = new AsUserRequest("root", 3, put) { Proof = "not encoded" };
        Assert.True(KvCodec.TryPeekUser(KvCodec.EncodeCommand(new KvCommand(asRoot, new SessionStamp(9, 4, 2))), command: true, out var user, out var revision));
        Assert.Equal(("root", 3UL), (user, revision));
        Assert.True(KvCodec.TryPeekUser(KvCodec.EncodeCommand(new KvCommand(asRoot)), command: true, out user, out _));
        Assert.Equal("root", user);
        Assert.True(KvCodec.TryPeekUser(KvCodec.EncodeQuery(new AsUserRequest("alice", 5, new RangeRequest(KvBytes.From("k")))), command: false, out user, out revision));
        Assert.Equal(("alice", 5UL), (user, revision));

        Assert.False(KvCodec.TryPeekUser(KvCodec.EncodeCommand(new KvCommand(put)), command: true, out _, out _));
        Assert.False(KvCodec.TryPeekUser([], command: true, out _, out _));
        Assert.Equal(-1, KvCodec.EncodeCommand(new KvCommand(asRoot)).AsSpan().IndexOf("not encoded"u8));
    }

    private sealed class Clock : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
