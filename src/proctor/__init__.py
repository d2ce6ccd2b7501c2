"""Proctor: supervisory controls for US broker-dealers."""
