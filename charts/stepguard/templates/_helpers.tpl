{{/* Names and labels. The contract: name + instance + component select; version, managed-by and chart label. */}}

{{- define "stepguard.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 52 | trimSuffix "-" -}}
{{- else if contains "stepguard" .Release.Name -}}
{{- .Release.Name | trunc 52 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-stepguard" .Release.Name | trunc 52 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* A component's object name: fullname (at most 52 characters) leaves room for "-cluster-check". */}}
{{- define "stepguard.componentName" -}}
{{- printf "%s-%s" (include "stepguard.fullname" .root) .component -}}
{{- end -}}

{{- define "stepguard.selectorLabels" -}}
app.kubernetes.io/name: stepguard
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* Every object's labels; `component` is one of api, worker, migrate, cluster-check. */}}
{{- define "stepguard.labels" -}}
{{ include "stepguard.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- with .root.Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{- define "stepguard.image" -}}
{{- $tag := .Values.image.tag | default .Chart.AppVersion -}}
{{- if .Values.image.digest -}}
{{- printf "%s:%s@%s" .Values.image.repository $tag .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository $tag -}}
{{- end -}}
{{- end -}}

{{- define "stepguard.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- include "stepguard.fullname" . -}}
{{- else -}}
{{- required "serviceAccount.name: name an existing ServiceAccount when serviceAccount.create is false" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "stepguard.secretName" -}}
{{- .Values.secrets.existingSecret | default (include "stepguard.fullname" .) -}}
{{- end -}}

{{/*
The Secret the migration Job reads: the user's existing Secret, or a hook-time copy of the chart's (see
templates/migration/secret.yaml for why it is not the release's Secret).
*/}}
{{- define "stepguard.migrationSecretName" -}}
{{- .Values.secrets.existingSecret | default (include "stepguard.componentName" (dict "root" . "component" "migrate")) -}}
{{- end -}}

{{/* Seconds a pod gets between SIGTERM and SIGKILL: the app's own drain deadline, plus the preStop pause, plus margin. */}}
{{- define "stepguard.terminationGracePeriodSeconds" -}}
{{- add (int .root.Values.config.shutdownTimeoutSeconds) (int .preStop) 10 -}}
{{- end -}}

{{/* The pod-level settings every Stepguard pod shares. */}}
{{- define "stepguard.podCommon" -}}
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/* The /tmp emptyDir: the only place a Stepguard container writes (its root filesystem is read-only). */}}
{{- define "stepguard.tmpVolume" -}}
- name: tmp
  emptyDir:
    sizeLimit: {{ .Values.tmpSizeLimit }}
{{- end -}}

{{- define "stepguard.tmpMount" -}}
- name: tmp
  mountPath: /tmp
{{- end -}}

{{/* The volumes of the api, worker and migration pods: /tmp and the operator's `extraVolumes`. */}}
{{- define "stepguard.appVolumes" -}}
{{ include "stepguard.tmpVolume" . }}
{{- with .Values.extraVolumes }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{- define "stepguard.appVolumeMounts" -}}
{{ include "stepguard.tmpMount" . }}
{{- with .Values.extraVolumeMounts }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* topologySpreadConstraints of a component, or nothing. */}}
{{- define "stepguard.topologySpread" -}}
{{- $spread := .spread -}}
{{- if $spread.enabled -}}
{{- $constraints := list -}}
{{- range $spread.topologyKeys -}}
{{- $selector := include "stepguard.selectorLabels" $ | fromYaml -}}
{{- /* matchLabelKeys: only the pods of the same rollout count, or an old ReplicaSet's pods would skew it. */ -}}
{{- $constraints = append $constraints (dict "topologyKey" . "maxSkew" $spread.maxSkew "whenUnsatisfiable" $spread.whenUnsatisfiable "labelSelector" (dict "matchLabels" $selector) "matchLabelKeys" (list "pod-template-hash")) -}}
{{- end -}}
{{- toYaml (dict "topologySpreadConstraints" $constraints) -}}
{{- end -}}
{{- end -}}

{{/* nodeSelector, tolerations, affinity and priorityClassName, those that are set. */}}
{{- define "stepguard.scheduling" -}}
{{- $set := dict -}}
{{- range $key := list "nodeSelector" "tolerations" "affinity" "priorityClassName" -}}
{{- with index $ $key }}{{ $_ := set $set $key . }}{{ end -}}
{{- end -}}
{{- if $set }}{{ toYaml $set }}{{ end -}}
{{- end -}}
