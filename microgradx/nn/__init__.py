"""Neural-network building blocks: `Module`, `Parameter`, `Neuron`, `Layer`, `MLP`, `Sequential`, activation and loss modules.

Examples:
    >>> import numpy as np
    >>> import microgradx as mgx
    >>> net = mgx.nn.MLP(1, [16, 1], activation="tanh", rng=0)
    >>> loss = mgx.nn.MSELoss()(net(np.zeros((3, 1))), np.zeros((3, 1)))
    >>> loss.backward()
    >>> net.layers[0].weight.grad.shape
    (1, 16)
"""

from .activation import (
    ACTIVATIONS,
    DEFAULT_INIT,
    ELU,
    SELU,
    LeakyReLU,
    PReLU,
    ReLU,
    Sigmoid,
    Softmax,
    Tanh,
    default_init,
)
from .layers import MLP, Layer, Neuron, Sequential
from .loss import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, MSELoss
from .module import Module, Parameter

__all__ = [
    "ACTIVATIONS",
    "DEFAULT_INIT",
    "ELU",
    "MLP",
    "SELU",
    "BCELoss",
    "BCEWithLogitsLoss",
    "CrossEntropyLoss",
    "Layer",
    "LeakyReLU",
    "MSELoss",
    "Module",
    "Neuron",
    "PReLU",
    "Parameter",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "Softmax",
    "Tanh",
    "default_init",
]
