using System.Globalization;
using Dcsd.Redis.Topology;
using Dcsd.Service.Persistence;
using TopologyRole = Dcsd.Redis.Topology.NodeRole;

namespace Dcsd.Service.Http.Instances;

/// <summary>
/// One node as DCS's ShowNodesInformation lists it (GET /v2/{project_id}/instances/{instance_id}/logical-nodes). A shard is a
/// "group"; dcsd adds the slots the group owns and the node's replication offset.
/// </summary>
internal sealed record LogicalNodeView(
    string LogicalNodeId,
    string Name,
    string Status,
    string? AzCode,
    string NodeRole,
    string NodeType,
    string NodeIp,
    string NodePort,
    string? NodeId,
    string PriorityWeight,
    bool IsAccess,
    string GroupId,
    string GroupName,
    bool IsRemoveIp,
    IReadOnlyList<string>? Slots,
    long? ReplicationOffset)
{
    /// <summary>The live topology: what the nodes say now.</summary>
    public static List<LogicalNodeView> From(InstanceRecord instance, Deployment deployment) =>
        deployment.Shards
            .SelectMany(shard => shard.Nodes.Select(node => Build(
                instance,
                shard.Index,
                node.Host,
                node.Port,
                node.Role == TopologyRole.Master,
                node.Health == NodeHealth.Online ? "Active" : "Inactive",
                node.Id,
                shard.Slots.Count > 0 ? shard.Slots.Select(range => range.ToString()).ToList() : null,
                node.ReplicationOffset)))
            .ToList();

    /// <summary>What dcsd last recorded, for when no node answers: every node then shows Inactive.</summary>
    public static List<LogicalNodeView> FromRecords(InstanceRecord instance) =>
        instance.Nodes
            .Select(node => Build(instance, node.Shard, node.Host, node.Port, node.Role == NodeRoles.Master, "Inactive", null, null, null))
            .ToList();

    private static LogicalNodeView Build(
        InstanceRecord instance, int shard, string host, int port, bool master, string status, string? nodeId, IReadOnlyList<string>? slots, long? offset)
    {
        string endPoint = host + ":" + port.ToString(CultureInfo.InvariantCulture);
        string group = "group-" + shard.ToString(CultureInfo.InvariantCulture);
        return new LogicalNodeView(
            LogicalNodeId: instance.Id + "-" + endPoint,
            Name: endPoint,
            Status: status,
            AzCode: null,
            NodeRole: "redis-server",
            NodeType: master ? "master" : "slave",
            NodeIp: host,
            NodePort: port.ToString(CultureInfo.InvariantCulture),
            NodeId: nodeId,
            PriorityWeight: "100",
            IsAccess: true,
            GroupId: instance.Id + "-" + group,
            GroupName: group,
            IsRemoveIp: false,
            Slots: slots,
            ReplicationOffset: offset);
    }
}
