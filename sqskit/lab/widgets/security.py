"""The security views: the policy playground and the envelope explorer.

Thin ipywidgets views over :class:`~sqskit.lab.models.playground.PlaygroundModel` and
:class:`~sqskit.lab.models.envelope.EnvelopeModel`; each prints as its model's text
twin and refreshes when the world changes (a new queue policy, a disabled key).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import ipywidgets as w

from ..models.envelope import EnvelopeModel
from ..models.playground import PlaygroundModel
from ..models.probes import Probe, ProbeTable
from .security_html import decision_html, envelope_html, probes_html
from .views import _TextTwin

if TYPE_CHECKING:
    from ...world import World

WIDE = w.Layout(width="98%")
LABEL = {"description_width": "initial"}


def _pretty(text: str | None) -> str:
    if not text:
        return ""
    try:
        return json.dumps(json.loads(text), indent=2)
    except ValueError:
        return text


class PolicyPlayground(_TextTwin, w.VBox):
    """Try a request against the policies: pick who, what, on what, from where; edit."""

    def __init__(
        self,
        world: World,
        *,
        principals: Mapping[str, str | None] | None = None,
        actions: Sequence[str] | None = None,
        resources: Mapping[str, str] | None = None,
        endpoints: Mapping[str, str] | None = None,
        probes: Iterable[Probe] | None = None,
        **settings: Any,
    ) -> None:
        self.model = PlaygroundModel(world, principals=principals, actions=actions,
                                     resources=resources, endpoints=endpoints)
        self.model.set(**settings)
        self.probes = list(probes or [])
        m = self.model
        self.principal = w.Dropdown(options=list(m.principals), value=m.principal,
                                    description="principal")
        self.action = w.Dropdown(options=m.actions, value=m.action, description="action")
        self.resource = w.Dropdown(options=list(m.resources), value=m.resource or None,
                                   description="resource")
        self.tls = w.Checkbox(value=m.secure_transport, description="TLS (aws:SecureTransport)",
                              indent=False)
        self.network = w.Dropdown(
            options=[("from the internet", "")] + [(f"through {e}", e) for e in m.endpoints],
            value=m.source_vpce or "", description="network")
        self.source_arn = w.Text(value=m.source_arn, description="aws:SourceArn",
                                 placeholder="for a service acting for a resource", layout=WIDE,
                                 style=LABEL)
        self.source_account = w.Text(value=m.source_account, description="aws:SourceAccount",
                                     style=LABEL)
        self.via_sqs = w.Checkbox(value=m.via_sqs, indent=False,
                                  description="through SQS (the KMS calls SSE makes)")
        self.policy = w.Textarea(value="", continuous_update=False, layout=w.Layout(
            width="98%", height="220px"), description="policy")
        self.identity = w.Textarea(value="", continuous_update=False, placeholder=(
            "leave empty: the principal's identity policies from IAM"), layout=w.Layout(
            width="98%", height="90px"), description="identity")
        self.evaluate_button = w.Button(description="Evaluate", icon="play",
                                        tooltip="decide with the edited policies")
        self.reset_button = w.Button(description="World's policy", icon="undo",
                                     tooltip="forget the edits: use the policy the world holds")
        self.result = w.HTML()
        self.probe_view = w.HTML()
        for control in (self.principal, self.action, self.resource, self.tls, self.network,
                        self.source_arn, self.source_account, self.via_sqs):
            control.observe(self._on_change, names="value")
        self.policy.observe(self._on_policy, names="value")
        self.identity.observe(self._on_policy, names="value")
        self.evaluate_button.on_click(lambda _: self._on_policy())
        self.reset_button.on_click(lambda _: self.use_world_policy())
        request = w.VBox([w.HBox([self.principal, self.action]),
                          w.HBox([self.resource, self.network, self.tls]),
                          w.HBox([self.source_arn]), w.HBox([self.source_account, self.via_sqs])])
        editor = w.VBox([self.policy, self.identity,
                         w.HBox([self.evaluate_button, self.reset_button])])
        super().__init__([w.HTML("<b>Policy playground</b>"), request, editor, self.result,
                          self.probe_view])
        self.add_class("sqskit-playground")
        self._show_policy()
        self.refresh()
        self.model.watcher.subscribe(self)

    # -- reacting ---------------------------------------------------------------------------
    def _on_change(self, _: Any = None) -> None:
        previous = self.model.resource
        self.model.set(principal=self.principal.value, action=self.action.value,
                       resource=self.resource.value or "", secure_transport=self.tls.value,
                       source_vpce=self.network.value or None,
                       source_arn=self.source_arn.value.strip(),
                       source_account=self.source_account.value.strip(),
                       via_sqs=self.via_sqs.value)
        if self.model.resource != previous:
            self.model.resource_policy = None
            self._show_policy()
        self.refresh()

    def _on_policy(self, _: Any = None) -> None:
        edited = self.policy.value.strip()
        world = (self.model.world_policy() or "").strip()
        self.model.resource_policy = None if edited == _pretty(world).strip() else (
            edited or None)
        self.model.identity_policy = self.identity.value.strip() or None
        self.refresh()

    def use_world_policy(self) -> None:
        self.model.resource_policy = None
        self.model.identity_policy = None
        self.identity.value = ""
        self._show_policy()
        self.refresh()

    def _show_policy(self) -> None:
        text = _pretty(self.model.effective_resource_policy())
        if self.policy.value != text:
            self.policy.value = text

    def refresh(self) -> None:
        if self.model.resource_policy is None:
            self._show_policy()
        self.result.value = decision_html(self.model.outcome(), self.model.describe_request())
        self.probe_view.value = probes_html(self.run_probes()) if self.probes else ""

    def run_probes(self) -> ProbeTable:
        return self.model.run(self.probes)

    def text(self) -> str:
        text = self.model.text()
        if self.probes:
            text += "\n" + self.run_probes().text()
        return text


class EnvelopeExplorer(_TextTwin, w.VBox):
    """One message of an encrypted queue, layer by layer, and what a broken key breaks."""

    def __init__(self, world: World, queue: str, message: str | Mapping[str, Any] | None = None
                 ) -> None:
        self.model = EnvelopeModel(world, queue, message)
        self.choice = w.Dropdown(description="message", options=[], layout=w.Layout(
            width="420px"))
        self.html = w.HTML()
        self.choice.observe(self._on_choice, names="value")
        super().__init__([self.choice, self.html])
        self.add_class("sqskit-envelope-explorer")
        self.refresh()
        self.model.watcher.subscribe(self)

    def _on_choice(self, change: Any) -> None:
        if change["new"] and change["new"] != self.model.message_id:
            self.model.message_id = change["new"]
            self.refresh()

    def refresh(self) -> None:
        options = self.model.choices()
        current = self.model.message_id or (options[-1][1] if options else None)
        if [o[1] for o in options] != [o[1] for o in self.choice.options]:
            self.choice.options = options
        if current in {o[1] for o in options} and self.choice.value != current:
            self.choice.value = current
        self.html.value = envelope_html(self.model.snapshot(), self.model.text())

    def text(self) -> str:
        return self.model.text()
