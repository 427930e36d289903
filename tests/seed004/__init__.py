"""Seed 004 (the Métropole Européenne de Lille's ESS restitution, 2015) as Concerto data, built through the API."""
