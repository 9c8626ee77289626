using Grpc.Core;
using OrleansRaft.Etcd.Hosting;
using OrleansRaft.Abstractions;
using Proto = OrleansRaft.Etcd.Protocol;

namespace OrleansRaft.Etcd.Services;

/// <summary>
/// etcd's Cluster service: the members of the key-value group. Each member is reported with its etcd id (see
/// <see cref="EtcdGroup.EtcdMemberId"/>), its grain key as name, the silo it runs on as peer URL
/// (<c>orleans://host:port</c>), and as client URLs those of the etcd gateway on its silo (the silo's advertised
/// <see cref="EtcdGatewayOptions.AdvertisedEndpointName"/> endpoint, which the member reports in its status). A member
/// whose silo advertises none, or that did not answer, gets this gateway's own client URLs: any gateway serves every
/// member. Membership changes are refused: a group's membership is set when it is created.
/// </summary>
internal sealed class ClusterService(EtcdGateway gateway) : Proto.Cluster.ClusterBase
{
    public override async Task<Proto.MemberListResponse> MemberList(Proto.MemberListRequest request, ServerCallContext context)
    {
        var group = await gateway.GroupAsync(context);
        var status = await group.RefreshStatusAsync(context.CancellationToken);
        var served = MaintenanceService.Speaker(group, status);

        // etcd's member list header carries no revision.
        var response = new Proto.MemberListResponse { Header = group.Header(served?.MemberId ?? 0, revision: 0) };
        var clientUrls = group.Options.AdvertisedClientUrls.Count > 0
            ? [.. group.Options.AdvertisedClientUrls]
            : new[] { $"http://{context.GetHttpContext().Request.Host}" };
        foreach (var member in status.Members)
        {
            var proto = new Proto.Member { ID = group.EtcdMemberId(member.MemberId), Name = RaftMemberKey.Format(group.GroupId, member.MemberId) };
            if (member.Status is { } own)
            {
                proto.PeerURLs.Add(PeerUrl(own.Silo));
            }

            proto.ClientURLs.Add(member.Status?.SiloEndpoints.GetValueOrDefault(EtcdGatewayOptions.AdvertisedEndpointName) is { IsDefaultOrEmpty: false } advertised
                ? advertised
                : clientUrls);
            response.Members.Add(proto);
        }

        return response;
    }

    public override Task<Proto.MemberAddResponse> MemberAdd(Proto.MemberAddRequest request, ServerCallContext context) =>
        throw EtcdErrors.Unimplemented("member add is not supported: a key-value group's membership is set when the group is created.");

    public override Task<Proto.MemberRemoveResponse> MemberRemove(Proto.MemberRemoveRequest request, ServerCallContext context) =>
        throw EtcdErrors.Unimplemented("member remove is not supported: a key-value group's membership is set when the group is created.");

    public override Task<Proto.MemberUpdateResponse> MemberUpdate(Proto.MemberUpdateRequest request, ServerCallContext context) =>
        throw EtcdErrors.Unimplemented("member update is not supported: members are grains, placed by Orleans; they have no peer URLs to change.");

    public override Task<Proto.MemberPromoteResponse> MemberPromote(Proto.MemberPromoteRequest request, ServerCallContext context) =>
        throw EtcdErrors.Unimplemented("member promote is not supported: a key-value group has no learners.");

    /// <summary>An Orleans silo address (<c>S10.0.0.1:11111:123456</c>) as <c>orleans://10.0.0.1:11111</c>.</summary>
    internal static string PeerUrl(string silo)
    {
        var text = silo.StartsWith('S') ? silo[1..] : silo;
        var generation = text.LastIndexOf(':');
        if (generation > 0 && text.IndexOf(':') < generation)
        {
            text = text[..generation];
        }

        return $"orleans://{text}";
    }
}
