/**
 * What Alertmanager sends with `group_by: ['...']`: one alert per notification,
 * re-sent while it fires. Alert `n` of a storm on the checkout service; shared
 * by the storm test (outcome) and `npm run bench -- alerts` (timing).
 */
export function diskPressureNotification(n: number, startsAt: string) {
  return {
    version: '4',
    receiver: 'warroom',
    status: 'firing',
    groupKey: `{}:{alertname="DiskPressure", instance="node-${n}"}`,
    groupLabels: { alertname: 'DiskPressure', instance: `node-${n}` },
    commonLabels: {},
    commonAnnotations: {},
    externalURL: 'http://alertmanager:9093',
    truncatedAlerts: 0,
    alerts: [
      {
        status: 'firing',
        labels: { alertname: 'DiskPressure', instance: `node-${n}`, service: 'checkout', severity: 'warning' },
        annotations: { summary: `Disk pressure on node-${n}` },
        startsAt,
        endsAt: '0001-01-01T00:00:00Z',
        generatorURL: 'http://prometheus:9090/graph?g0.expr=node_disk',
        fingerprint: `storm-${n}`,
      },
    ],
  };
}
