using Dcsd.Redis.Protocol;
using Dcsd.Redis.Restore;

namespace Dcsd.Redis.Cluster;

/// <summary>
/// Routes the restore writer's commands to the master owning each key's slot, one pipelined connection per shard, so all
/// masters load in parallel while the file is read once. Commands without a key (FLUSHALL, FUNCTION …, SELECT 0) are
/// encoded once and sent to every master.
/// </summary>
internal sealed class ClusterRestoreSink : IRestoreCommandSink, IDisposable
{
    private readonly TargetPipeline[] _pipelines;
    private readonly short[] _slotOwners;
    private readonly RespWriter _broadcast = new(4096);
    private readonly long[] _keysPerShard;
    private int _current = -1;

    public ClusterRestoreSink(TargetPipeline[] pipelines, short[] slotOwners)
    {
        _pipelines = pipelines;
        _slotOwners = slotOwners;
        _keysPerShard = new long[pipelines.Length];
    }

    public IReadOnlyList<long> KeysPerShard => _keysPerShard;

    public RespWriter Begin(byte[]? routingKey)
    {
        if (routingKey is null)
        {
            _current = -1;
            _broadcast.Clear();
            return _broadcast;
        }

        // Every slot has an owner: ClusterCommandRestore checks full coverage before it starts.
        _current = _slotOwners[ClusterSlot.Of(routingKey)];
        return _pipelines[_current].Begin(routingKey);
    }

    public int GroupOf(byte[] key) => ClusterSlot.Of(key);

    public void Commit(RestoreCommandInfo command)
    {
        if (_current >= 0)
        {
            _keysPerShard[_current] += command.Keys;
            _pipelines[_current].Commit(command);
            return;
        }

        foreach (TargetPipeline pipeline in _pipelines)
        {
            pipeline.Begin(null).Raw(_broadcast.Written.Span);
            pipeline.Commit(command);
        }
    }

    public void Complete()
    {
        // Each master gets its last commands before any wait, so they all finish in parallel.
        foreach (TargetPipeline pipeline in _pipelines)
        {
            pipeline.Send();
        }

        foreach (TargetPipeline pipeline in _pipelines)
        {
            pipeline.Complete();
        }
    }

    public void Dispose() => _broadcast.Dispose();
}
