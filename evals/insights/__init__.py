"""The shop's insights at scale and the experiment simulator."""
